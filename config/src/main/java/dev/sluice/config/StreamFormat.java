package dev.sluice.config;

/** How a stream target writes each change: {@code format:} of a stream target. */
public enum StreamFormat implements YamlEnum {
  /** The JSON that Debezium's JSON converter writes without schemas. */
  DEBEZIUM,
  /** A CloudEvents 1.0 event in structured JSON mode, the Debezium envelope as its data. */
  CLOUDEVENTS
}
