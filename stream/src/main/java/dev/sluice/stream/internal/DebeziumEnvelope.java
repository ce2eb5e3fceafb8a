package dev.sluice.stream.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.ChangeJson;
import dev.sluice.journal.Column;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.TableSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A change as the JSON that Debezium's JSON converter writes without schemas ({@code
 * schemas.enable=false}): the value {@code {before, after, source, op, ts_ms}} and the key, an
 * object of the primary key's columns. Where it differs from Debezium:
 *
 * <ul>
 *   <li>values are written as {@code sluice tail} writes them (timestamps in ISO-8601, bytes as
 *       {@code \x..}, decimals as strings), not in Debezium's per-type encodings;
 *   <li>a column whose unchanged TOASTed value the source did not send is absent from {@code after}
 *       (never a placeholder) and named in {@code unchanged}; a delete's {@code before} under
 *       REPLICA IDENTITY DEFAULT holds the key columns only;
 *   <li>{@code source} also has {@code position} (the journal position).
 *   <li>with transaction messages on, {@code transaction.id} is the source transaction id alone
 *       ({@code "7481"}), as Debezium's PostgreSQL connector writes it.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class DebeziumEnvelope implements ChangeFormat {
  private static final JsonFactory JSON = new JsonFactory();

  /** Keys go in a header, which holds printable ASCII only: other characters are escaped. */
  private static final JsonFactory ASCII_JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private final String serverName;
  private final String database;

  /**
   * @param serverName {@code source.name} (Debezium's topic prefix)
   * @param database {@code source.db}
   */
  public DebeziumEnvelope(String serverName, String database) {
    this.serverName = serverName;
    this.database = database;
  }

  /** The message's value, without a {@code transaction} block. */
  public byte[] value(ChangeEvent change, long nowMillis) {
    return change(change, null, null, nowMillis);
  }

  @Override
  public byte[] change(ChangeEvent change, TransactionOrder order, String id, long nowMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      writeChange(json, change, order, nowMillis);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public String contentType() {
    return null;
  }

  /** Writes the value of a change as one JSON object. */
  void writeChange(JsonGenerator json, ChangeEvent change, TransactionOrder order, long nowMillis)
      throws IOException {
    TableSchema schema = change.schema();
    List<String> unchanged = new ArrayList<>();
    json.writeStartObject();
    json.writeFieldName("before");
    ChangeJson.writeRow(change.before(), schema, json, null);
    json.writeFieldName("after");
    ChangeJson.writeRow(change.after(), schema, json, unchanged);
    json.writeObjectFieldStart("source");
    json.writeStringField("version", "sluice");
    json.writeStringField("connector", "postgresql");
    json.writeStringField("name", serverName);
    json.writeNumberField("ts_ms", change.commitTimeMicros() / 1000);
    json.writeStringField(
        "snapshot",
        change.op() != Op.READ
            ? "false"
            : change.has(ChangeEvent.LAST_OF_SNAPSHOT_TABLE) ? "last" : "true");
    json.writeStringField("db", database);
    json.writeStringField("schema", change.table().schema());
    json.writeStringField("table", change.table().name());
    json.writeNumberField("txId", change.txId());
    json.writeNumberField("lsn", change.lsn());
    json.writeStringField("position", JournalPosition.format(change.position()));
    json.writeEndObject();
    json.writeStringField("op", String.valueOf(change.op().code()));
    json.writeNumberField("ts_ms", nowMillis);
    if (order != null) {
      json.writeObjectFieldStart("transaction");
      json.writeStringField("id", Long.toString(order.txId()));
      json.writeNumberField("total_order", order.totalOrder());
      json.writeNumberField("data_collection_order", order.dataCollectionOrder());
      json.writeEndObject();
    }
    if (!unchanged.isEmpty()) {
      json.writeArrayFieldStart("unchanged");
      for (String column : unchanged) {
        json.writeString(column);
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  @Override
  public byte[] transaction(TransactionEvent event, String id, long nowMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      writeTransaction(json, event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Writes a transaction message as Debezium's: {@code status}, {@code id}, {@code ts_ms} (the
   * commit time), {@code event_count} and {@code data_collections} (null on BEGIN).
   */
  void writeTransaction(JsonGenerator json, TransactionEvent event) throws IOException {
    boolean end = event.status() == TransactionEvent.Status.END;
    json.writeStartObject();
    json.writeStringField("status", event.status().name());
    json.writeStringField("id", Long.toString(event.txId()));
    json.writeNumberField("ts_ms", event.commitTimeMicros() / 1000);
    json.writeFieldName("event_count");
    if (end) {
      json.writeNumber(event.eventCount());
    } else {
      json.writeNull();
    }
    json.writeFieldName("data_collections");
    if (end) {
      json.writeStartArray();
      for (var collection : event.dataCollections().entrySet()) {
        json.writeStartObject();
        json.writeStringField("data_collection", collection.getKey());
        json.writeNumberField("event_count", collection.getValue());
        json.writeEndObject();
      }
      json.writeEndArray();
    } else {
      json.writeNull();
    }
    json.writeEndObject();
  }

  @Override
  public byte[] transactionKey(TransactionEvent event) {
    return ("{\"id\":\"" + event.txId() + "\"}")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * The message's key: the primary key's columns (characters beyond ASCII written as JSON's
   * four-hex-digit escapes), or null for a truncate or a keyless table.
   */
  @Override
  public byte[] key(ChangeEvent change) {
    TableSchema schema = change.schema();
    if (change.op() == Op.TRUNCATE || !schema.hasKey()) {
      return null;
    }
    Object[] row = change.after() != null ? change.after() : change.before();
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator json = ASCII_JSON.createGenerator(out)) {
      json.writeStartObject();
      for (int index : schema.keyIndexes()) {
        Column column = schema.columns().get(index);
        json.writeFieldName(column.name());
        if (row[index] == null) {
          json.writeNull();
        } else {
          ChangeJson.writeValue(row[index], column, json);
        }
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
