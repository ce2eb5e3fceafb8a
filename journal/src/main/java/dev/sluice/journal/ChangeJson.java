package dev.sluice.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Journal entries as JSON objects, one per line: the format of {@code sluice tail} and of
 * dead-letter files.
 *
 * <p>A change has {@code position, op, table, key, before, after, txId, lsn, commitTime} and, where
 * they apply, {@code commitLsn} and {@code last} (last change of its transaction), {@code
 * unchanged} (columns whose unchanged TOASTed value the source did not send; they are absent from
 * {@code after}) and {@code keyChange} ({@code old} or {@code new}: the two halves of a primary-key
 * update) and {@code fromPeer} ({@code true}: a bidirectional peer's sidecar wrote the change
 * here). Values: numbers as numbers (NaN and infinities as strings), {@code numeric} as exact
 * strings, bytes as {@code \x..}, times in ISO-8601. A marker has {@code position, marker, time,
 * tables, detail}.
 *
 * <p>Thread-safe.
 */
public final class ChangeJson {
  private static final JsonFactory JSON = new JsonFactory();

  private ChangeJson() {}

  /** One entry as a single-line JSON object. */
  public static String toJson(JournalEntry entry) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      write(entry, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static void write(JournalEntry entry, JsonGenerator json) throws IOException {
    if (entry instanceof Marker marker) {
      writeMarker(marker, json);
    } else {
      writeChange((ChangeEvent) entry, json);
    }
  }

  private static void writeMarker(Marker marker, JsonGenerator json) throws IOException {
    json.writeStartObject();
    json.writeStringField("position", JournalPosition.format(marker.position()));
    json.writeStringField(
        "marker", marker.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
    json.writeStringField("time", ValueText.timestampTz(marker.timeMicros()));
    json.writeArrayFieldStart("tables");
    for (var table : marker.tables()) {
      json.writeString(table.toString());
    }
    json.writeEndArray();
    json.writeStringField("detail", marker.detail());
    json.writeEndObject();
  }

  private static void writeChange(ChangeEvent event, JsonGenerator json) throws IOException {
    TableSchema schema = event.schema();
    json.writeStartObject();
    json.writeStringField("position", JournalPosition.format(event.position()));
    json.writeStringField("op", event.op().label());
    json.writeStringField("table", event.table().toString());
    json.writeFieldName("key");
    if (schema.hasKey() && event.op() != Op.TRUNCATE) {
      json.writeStartObject();
      Object[] row = event.after() != null ? event.after() : event.before();
      for (int index : schema.keyIndexes()) {
        json.writeFieldName(schema.columns().get(index).name());
        writeValue(row[index], schema.columns().get(index), json);
      }
      json.writeEndObject();
    } else {
      json.writeNull();
    }
    List<String> unchanged = new ArrayList<>();
    json.writeFieldName("before");
    writeRow(event.before(), schema, json, null);
    json.writeFieldName("after");
    writeRow(event.after(), schema, json, unchanged);
    json.writeNumberField("txId", event.txId());
    json.writeStringField("lsn", Lsn.format(event.lsn()));
    if (event.isLastInTransaction()) {
      json.writeStringField("commitLsn", Lsn.format(event.commitLsn()));
    }
    json.writeStringField("commitTime", ValueText.timestampTz(event.commitTimeMicros()));
    if (event.isLastInTransaction()) {
      json.writeBooleanField("last", true);
    }
    if (!unchanged.isEmpty()) {
      json.writeArrayFieldStart("unchanged");
      for (String column : unchanged) {
        json.writeString(column);
      }
      json.writeEndArray();
    }
    if (event.has(ChangeEvent.KEY_CHANGE_OLD)) {
      json.writeStringField("keyChange", "old");
    } else if (event.has(ChangeEvent.KEY_CHANGE_NEW)) {
      json.writeStringField("keyChange", "new");
    }
    if (event.has(ChangeEvent.FROM_PEER)) {
      json.writeBooleanField("fromPeer", true);
    }
    json.writeEndObject();
  }

  /**
   * Writes a row as an object of its columns' values as {@code tail} does, null as null; a column
   * the source did not send is left out, and an unchanged TOASTed one too, its name added to {@code
   * unchanged} (when not null).
   */
  public static void writeRow(
      Object[] row, TableSchema schema, JsonGenerator json, List<String> unchanged)
      throws IOException {
    if (row == null) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    for (int i = 0; i < row.length; i++) {
      Column column = schema.columns().get(i);
      if (row[i] == Unavailable.UNCHANGED_TOAST) {
        if (unchanged != null) {
          unchanged.add(column.name());
        }
        continue;
      }
      if (row[i] == Unavailable.ABSENT) {
        continue;
      }
      json.writeFieldName(column.name());
      writeValue(row[i], column, json);
    }
    json.writeEndObject();
  }

  /**
   * Writes one value of a column as {@code tail} does (see the class comment); not for {@link
   * Unavailable} markers.
   */
  public static void writeValue(Object value, Column column, JsonGenerator json)
      throws IOException {
    if (column.kind() == ValueKind.ARRAY && value instanceof String text) {
      List<Object> elements = elements(text, column);
      if (elements == null) {
        json.writeString(text); // bounds are kept only in PostgreSQL's own form
      } else {
        writeElements(elements, column.elementKind(), json);
      }
    } else if (column.kind() == ValueKind.ARRAY && value instanceof List<?> list) {
      json.writeStartArray();
      for (Object element : list) {
        writeScalar(element, column.elementKind(), json);
      }
      json.writeEndArray();
    } else {
      writeScalar(value, column.kind(), json);
    }
  }

  /**
   * The journal values of an array's elements (nested for several dimensions), or null when the
   * array is written as its text: its lower bounds are not 1, or an element is not its kind's text.
   */
  private static List<Object> elements(String text, Column column) {
    try {
      PgArrayText array = PgArrayText.parse(text, PgArrayText.delimiterOf(elementType(column)));
      return array.lowerBounds() != null ? null : values(array.elements(), column.elementKind());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static List<Object> values(List<?> level, ValueKind kind) {
    List<Object> values = new ArrayList<>(level.size());
    for (Object element : level) {
      values.add(
          element instanceof List<?> inner
              ? values(inner, kind)
              : element == null ? null : PgText.value((String) element, kind));
    }
    return values;
  }

  private static void writeElements(List<?> level, ValueKind kind, JsonGenerator json)
      throws IOException {
    json.writeStartArray();
    for (Object element : level) {
      if (element instanceof List<?> inner) {
        writeElements(inner, kind, json);
      } else {
        writeScalar(element, kind, json);
      }
    }
    json.writeEndArray();
  }

  /** The base name of an array column's element type ({@code box} for {@code box[]}). */
  static String elementType(Column column) {
    String type = column.pgType();
    int bracket = type.indexOf('[');
    return bracket < 0 ? type : type.substring(0, bracket);
  }

  private static void writeScalar(Object value, ValueKind kind, JsonGenerator json)
      throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof Short || value instanceof Integer || value instanceof Long) {
      if (ValueText.isNumeric(kind)) {
        json.writeNumber(((Number) value).longValue());
      } else {
        json.writeString(ValueText.format(value, kind));
      }
    } else if (value instanceof Float f && Float.isFinite(f)) {
      json.writeNumber(f);
    } else if (value instanceof Double d && Double.isFinite(d)) {
      json.writeNumber(d);
    } else if (value instanceof List<?> list) {
      json.writeStartArray();
      for (Object element : list) {
        writeScalar(element, kind, json);
      }
      json.writeEndArray();
    } else {
      json.writeString(ValueText.format(value, kind));
    }
  }
}
