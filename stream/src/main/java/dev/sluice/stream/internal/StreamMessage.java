package dev.sluice.stream.internal;

import dev.sluice.config.TableName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message a rule publishes, whatever the broker: a change, or a transaction's BEGIN or END. A
 * broker target puts {@link #id} where the broker deduplicates ({@code Nats-Msg-Id}), {@link #key}
 * where it keys messages, {@link #headers} in its headers, and chooses the subject or topic from
 * {@link #kind}, {@link #table} and {@link #renamed}.
 *
 * @param kind a change, BEGIN or END
 * @param id {@code <rule>:<journal position>}, with {@code :begin} or {@code :end} for transaction
 *     messages: unique per message of a rule, and the same when the message is made again
 * @param table the change's source table; null for transaction messages
 * @param renamed the rule's {@code rename} of the table, or null
 * @param key the key (JSON), or null
 * @param value the body
 * @param headers the {@code sluice.*} headers (and {@code content-type} when the format has one),
 *     in order
 */
public record StreamMessage(
    Kind kind,
    String id,
    TableName table,
    String renamed,
    byte[] key,
    byte[] value,
    Map<String, String> headers) {

  /** The journal position ({@code 20792:1041}); for BEGIN that of its first change. */
  public static final String POSITION = "sluice.position";

  /** The rule that published the message. */
  public static final String RULE = "sluice.rule";

  /** The primary key as JSON (ASCII), or the transaction's {@code {"id": ...}}. */
  public static final String KEY = "sluice.key";

  /** The source commit time, microseconds since 1970. */
  public static final String COMMIT = "sluice.commit";

  /** The source table, {@code <schema token>.<name token>} (see {@link Subjects#header}). */
  public static final String TABLE = "sluice.table";

  /** {@code begin} or {@code end} on transaction messages. */
  public static final String TRANSACTION = "sluice.transaction";

  /** The source transaction id, with transaction messages on. */
  public static final String TXID = "sluice.txid";

  /**
   * The commit LSN ({@code 0/16B3748}), on a change that is the last of its source transaction,
   * with transaction messages on.
   */
  public static final String COMMIT_LSN = "sluice.commitlsn";

  /** The media type of the body, when the format is not plain JSON. */
  public static final String CONTENT_TYPE = "content-type";

  public StreamMessage {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** What a message is. */
  public enum Kind {
    CHANGE,
    BEGIN,
    END
  }
}
