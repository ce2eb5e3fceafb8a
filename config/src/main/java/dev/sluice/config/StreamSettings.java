package dev.sluice.config;

/**
 * Where a stream target publishes: a NATS JetStream stream (created when missing) and the prefix of
 * its subjects, {@code <subjectPrefix>.<schema>.<table>}; how it writes each change; how it
 * authenticates.
 *
 * @param name the JetStream stream's name
 * @param subjectPrefix the first tokens of every subject (one or more, separated by '.')
 * @param format how each change is written
 * @param transactions whether a BEGIN and an END message frame each source transaction's changes on
 *     {@code <subjectPrefix>.transaction}
 * @param auth how the client authenticates and secures its connection beyond user and password
 */
public record StreamSettings(
    String name, String subjectPrefix, StreamFormat format, boolean transactions, StreamAuth auth) {
  public static final String DEFAULT_NAME = "SLUICE";
  public static final String DEFAULT_SUBJECT_PREFIX = "sluice";

  /** The subject token of transaction messages, after the prefix. */
  public static final String TRANSACTION_TOKEN = "transaction";

  public StreamSettings {
    if (format == null) {
      format = StreamFormat.DEBEZIUM;
    }
    if (auth == null) {
      auth = StreamAuth.NONE;
    }
  }

  /** Debezium's format, no transaction messages, no authentication beyond user and password. */
  public StreamSettings(String name, String subjectPrefix) {
    this(name, subjectPrefix, StreamFormat.DEBEZIUM, false, StreamAuth.NONE);
  }
}
