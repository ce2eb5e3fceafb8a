package dev.sluice.stream.internal;

import dev.sluice.journal.ChangeEvent;

/**
 * What a change's message carries: its key and its value. The Kafka target writes through this
 * seam, so that another format can be wired in without touching it.
 */
public interface MessageBody {
  /** The message's key, or null when the change has none (a truncate, a keyless table). */
  byte[] key(ChangeEvent change);

  /** The message's value. */
  byte[] value(ChangeEvent change, long nowMillis);

  /** The Debezium-style envelope of {@link DebeziumEnvelope}. */
  static MessageBody debezium(String serverName, String database) {
    DebeziumEnvelope envelope = new DebeziumEnvelope(serverName, database);
    return new MessageBody() {
      @Override
      public byte[] key(ChangeEvent change) {
        return envelope.key(change);
      }

      @Override
      public byte[] value(ChangeEvent change, long nowMillis) {
        return envelope.value(change, nowMillis);
      }
    };
  }
}
