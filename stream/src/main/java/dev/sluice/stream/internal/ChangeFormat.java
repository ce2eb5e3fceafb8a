package dev.sluice.stream.internal;

import dev.sluice.config.StreamFormat;
import dev.sluice.journal.ChangeEvent;

/**
 * How a stream target writes the bodies of its messages ({@code format:} of the target). Brokers
 * differ only in where they put what {@link StreamMessage} carries; the bytes come from here.
 *
 * <p>Thread-safe.
 */
public interface ChangeFormat {

  /**
   * The message's key: the primary key's columns as a JSON object, characters beyond ASCII written
   * as JSON's four-hex-digit escapes; null for a truncate or a table without a primary key. The
   * same in every format.
   */
  byte[] key(ChangeEvent change);

  /**
   * The body of a change's message.
   *
   * @param order its place in its source transaction, or null when transaction messages are off
   *     (and for snapshot rows)
   * @param id the message's id ({@code <rule>:<journal position>})
   * @param nowMillis the time the message is made
   */
  byte[] change(ChangeEvent change, TransactionOrder order, String id, long nowMillis);

  /** The body of a transaction's BEGIN or END message. */
  byte[] transaction(TransactionEvent event, String id, long nowMillis);

  /** The key of a transaction message: {@code {"id": "<txId>"}}, as Debezium's. */
  byte[] transactionKey(TransactionEvent event);

  /**
   * The media type of the bodies for a {@code Content-Type} header, or null for plain JSON (the
   * Debezium envelope has no header for it, as Debezium Server sends none).
   */
  String contentType();

  /**
   * @param serverName {@code source.name} (the subject prefix)
   * @param database the source database's name
   */
  static ChangeFormat of(StreamFormat format, String serverName, String database) {
    DebeziumEnvelope envelope = new DebeziumEnvelope(serverName, database);
    return switch (format) {
      case DEBEZIUM -> envelope;
      case CLOUDEVENTS -> new CloudEventsFormat(envelope, database);
    };
  }

  /**
   * A change's place in its source transaction, as Debezium's {@code transaction} block.
   *
   * @param txId the source transaction id
   * @param totalOrder 1 for the transaction's first message of the rule, then 2, ...
   * @param dataCollectionOrder the same, counted per table
   */
  record TransactionOrder(long txId, long totalOrder, long dataCollectionOrder) {}
}
