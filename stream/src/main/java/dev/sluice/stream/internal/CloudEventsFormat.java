package dev.sluice.stream.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Lsn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * A change as a CloudEvents 1.0 event in structured JSON mode ({@code
 * application/cloudevents+json}), its {@code data} the {@link DebeziumEnvelope}'s value:
 *
 * <ul>
 *   <li>{@code id} the message's id, {@code <rule>:<journal position>} (unique per change and rule;
 *       BEGIN and END add {@code :begin}, {@code :end});
 *   <li>{@code source} {@code /sluice/<database>}, the name written as a subject token ({@code %XX}
 *       for bytes other than letters, digits, {@code _} and {@code -});
 *   <li>{@code type} {@code dev.sluice.change.<insert|update|delete|truncate|read>}, or {@code
 *       dev.sluice.transaction.<begin|end>};
 *   <li>{@code subject} the source table as in the {@code sluice.table} header ({@code
 *       public.orders}); none on transaction messages;
 *   <li>{@code time} the source commit time, RFC 3339 in UTC with microseconds;
 *   <li>{@code datacontenttype} {@code application/json};
 *   <li>extension attributes {@code sluiceposition} (journal position), {@code sluicetxid} (source
 *       transaction id) and {@code sluicelsn} (the change's LSN, {@code 0/1A2B3C}), all strings (a
 *       CloudEvents integer has 32 bits).
 * </ul>
 *
 * <p>Thread-safe.
 */
final class CloudEventsFormat implements ChangeFormat {
  static final String CONTENT_TYPE = "application/cloudevents+json";
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
          .withZone(java.time.ZoneOffset.UTC);

  private final DebeziumEnvelope envelope;
  private final String source;

  CloudEventsFormat(DebeziumEnvelope envelope, String database) {
    this.envelope = envelope;
    this.source = "/sluice/" + Subjects.token(database);
  }

  @Override
  public byte[] key(ChangeEvent change) {
    return envelope.key(change);
  }

  @Override
  public byte[] change(
      ChangeEvent change, ChangeFormat.TransactionOrder order, String id, long nowMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      attributes(
          json,
          id,
          "dev.sluice.change." + change.op().label(),
          change.commitTimeMicros(),
          change.position(),
          change.txId(),
          change.lsn());
      json.writeStringField("subject", Subjects.header(change.table()));
      json.writeFieldName("data");
      envelope.writeChange(json, change, order, nowMillis);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public byte[] transaction(TransactionEvent event, String id, long nowMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      attributes(
          json,
          id,
          "dev.sluice.transaction." + event.status().lowerCase(),
          event.commitTimeMicros(),
          event.position(),
          event.txId(),
          event.lsn());
      json.writeFieldName("data");
      envelope.writeTransaction(json, event);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public byte[] transactionKey(TransactionEvent event) {
    return envelope.transactionKey(event);
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  private void attributes(
      JsonGenerator json,
      String id,
      String type,
      long commitMicros,
      long position,
      long txId,
      long lsn)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("specversion", "1.0");
    json.writeStringField("id", id);
    json.writeStringField("source", source);
    json.writeStringField("type", type);
    json.writeStringField("time", time(commitMicros));
    json.writeStringField("datacontenttype", "application/json");
    json.writeStringField("sluiceposition", JournalPosition.format(position));
    json.writeStringField("sluicetxid", Long.toString(txId));
    json.writeStringField("sluicelsn", Lsn.format(lsn));
  }

  /** Microseconds since 1970 as RFC 3339 in UTC. */
  static String time(long micros) {
    return TIME.format(
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000));
  }
}
