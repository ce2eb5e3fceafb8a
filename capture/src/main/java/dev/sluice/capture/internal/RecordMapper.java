package dev.sluice.capture.internal;

import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.Unavailable;
import dev.sluice.journal.ValueKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns the engine's data change records into journal changes. Each row schema the engine reports
 * becomes one journal schema version, with the exact source types read from the catalog; values are
 * converted once to {@link ValueKind}'s representations, and the engine's placeholder for unchanged
 * TOASTed values becomes {@link Unavailable#UNCHANGED_TOAST}.
 *
 * <p>Not thread-safe: used by the capture thread only.
 */
public final class RecordMapper {
  /** What the engine is told to send for an unchanged TOASTed value. */
  public static final String UNCHANGED_PLACEHOLDER = "__sluice_unchanged_toast__";

  private static final byte[] UNCHANGED_BYTES =
      UNCHANGED_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
  private static final String TYPE_PARAMETER = "__debezium.source.column.type";

  private final Function<TableSchema, TableSchema> registry;
  private final CatalogLookup catalog;
  private final Map<Schema, RowMapping> mappings = new IdentityHashMap<>();
  private final Map<TableName, RowMapping> latestByTable = new HashMap<>();

  /**
   * Source catalog facts the mapper needs; may fail (then the engine's own type names are used).
   */
  public interface CatalogLookup {
    Map<String, SourceCatalog.ColumnType> columns(TableName table) throws Exception;

    ReplicaIdentity identity(TableName table) throws Exception;
  }

  /**
   * @param registry registers a schema version in the journal and returns it with its id
   */
  public RecordMapper(Function<TableSchema, TableSchema> registry, CatalogLookup catalog) {
    this.registry = registry;
    this.catalog = catalog;
  }

  /** A row schema with its converters. */
  private record RowMapping(
      TableSchema schema, Field[] fields, UnaryOperator<Object>[] converters) {}

  /**
   * Maps a data change record.
   *
   * @return the change, or null when the record is not a row change (a logical message)
   */
  public ChangeEvent map(SourceRecord record, SourcePosition position, int flags) {
    Struct value = (Struct) record.value();
    Op op = Op.parse(value.getString("op"));
    Struct source = value.getStruct("source");
    TableName table = new TableName(source.getString("schema"), source.getString("table"));
    Long txId = source.getInt64("txId");
    long commitMicros = commitMicros(source);
    if (op == Op.TRUNCATE) {
      RowMapping mapping = latestByTable.get(table);
      if (mapping == null) {
        mapping = mappingFromCatalog(table);
      }
      return new ChangeEvent(
          JournalPosition.NONE,
          mapping.schema(),
          op,
          null,
          null,
          txId == null ? 0 : txId,
          position,
          0,
          commitMicros,
          flags);
    }
    Struct after = value.getStruct("after");
    Struct before = value.getStruct("before");
    Schema rowSchema = (after != null ? after : before).schema();
    RowMapping mapping = mappings.get(rowSchema);
    if (mapping == null) {
      mapping = newMapping(table, rowSchema, record.keySchema());
      mappings.put(rowSchema, mapping);
      latestByTable.put(table, mapping);
    }
    Object[] afterRow = after == null ? null : row(after, mapping);
    Object[] beforeRow = before == null ? null : row(before, mapping);
    if (beforeRow != null
        && op == Op.DELETE
        && mapping.schema().identity() != ReplicaIdentity.FULL) {
      for (int i = 0; i < beforeRow.length; i++) {
        if (!mapping.schema().columns().get(i).isKey()) {
          beforeRow[i] = Unavailable.ABSENT;
        }
      }
    }
    return new ChangeEvent(
        JournalPosition.NONE,
        mapping.schema(),
        op,
        beforeRow,
        afterRow,
        txId == null ? 0 : txId,
        position,
        0,
        commitMicros,
        flags);
  }

  private static long commitMicros(Struct source) {
    Field micros = source.schema().field("ts_us");
    if (micros != null && source.get(micros) != null) {
      return source.getInt64("ts_us");
    }
    return source.getInt64("ts_ms") * 1000;
  }

  private static Object[] row(Struct struct, RowMapping mapping) {
    Field[] fields = mapping.fields();
    Object[] row = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      Object raw = struct.getWithoutDefault(fields[i].name());
      row[i] = raw == null ? null : mapping.converters()[i].apply(raw);
    }
    return row;
  }

  @SuppressWarnings("unchecked")
  private RowMapping newMapping(TableName table, Schema rowSchema, Schema keySchema) {
    Map<String, SourceCatalog.ColumnType> types = Map.of();
    ReplicaIdentity identity = ReplicaIdentity.DEFAULT;
    try {
      types = catalog.columns(table);
      identity = catalog.identity(table);
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(RecordMapper.class)
          .warn(
              "cannot read the source catalog for {} ({}); using the engine's type names",
              table,
              e.getMessage());
    }
    List<String> keyNames = new ArrayList<>();
    if (keySchema != null) {
      for (Field field : keySchema.fields()) {
        keyNames.add(field.name());
      }
    }
    List<Field> fields = rowSchema.fields();
    List<Column> columns = new ArrayList<>(fields.size());
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array
    UnaryOperator<Object>[] converters = new UnaryOperator[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      Field field = fields.get(i);
      SourceCatalog.ColumnType type = types.get(field.name());
      String pgType = type != null ? type.effective() : engineTypeName(field.schema());
      ValueKind kind = kindOf(field.schema(), pgType, type);
      ValueKind elementKind =
          kind == ValueKind.ARRAY
              ? kindOf(field.schema().valueSchema(), pgType.replace("[]", ""), type)
              : null;
      if (elementKind == ValueKind.ARRAY) {
        elementKind = ValueKind.OTHER;
      }
      int keyPosition = keyNames.indexOf(field.name());
      boolean optional = type != null ? !type.notNull() : field.schema().isOptional();
      List<String> labels = type != null ? type.enumLabels() : List.of();
      columns.add(
          new Column(
              field.name(),
              pgType,
              kind,
              elementKind,
              keyPosition,
              optional && keyPosition < 0,
              labels,
              type != null ? type.missingValue() : null));
      converters[i] = converter(kind, elementKind, field.schema());
    }
    TableSchema schema = registry.apply(new TableSchema(0, table, columns, identity));
    return new RowMapping(schema, fields.toArray(new Field[0]), converters);
  }

  /** A schema for a table seen only in a TRUNCATE, from the catalog. */
  private RowMapping mappingFromCatalog(TableName table) {
    List<Column> columns = new ArrayList<>();
    ReplicaIdentity identity = ReplicaIdentity.DEFAULT;
    try {
      identity = catalog.identity(table);
      for (Map.Entry<String, SourceCatalog.ColumnType> entry : catalog.columns(table).entrySet()) {
        columns.add(
            Column.of(
                entry.getKey(),
                entry.getValue().effective(),
                kindOfType(entry.getValue().effective(), entry.getValue())));
      }
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(RecordMapper.class)
          .warn("cannot read the source catalog for {}: {}", table, e.getMessage());
    }
    TableSchema schema = registry.apply(new TableSchema(0, table, columns, identity));
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array
    RowMapping mapping = new RowMapping(schema, new Field[0], new UnaryOperator[0]);
    latestByTable.put(table, mapping);
    return mapping;
  }

  private static String engineTypeName(Schema schema) {
    String name = schema.parameters() == null ? null : schema.parameters().get(TYPE_PARAMETER);
    if (name == null) {
      return schema.type().getName();
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith("_") ? lower.substring(1) + "[]" : lower;
  }

  static ValueKind kindOf(Schema schema, String pgType, SourceCatalog.ColumnType type) {
    String logical = schema.name() == null ? "" : schema.name();
    switch (logical) {
      case "io.debezium.time.Date":
        return ValueKind.DATE;
      case "io.debezium.time.MicroTime", "io.debezium.time.Time", "io.debezium.time.NanoTime":
        return ValueKind.TIME;
      case "io.debezium.time.MicroTimestamp",
      "io.debezium.time.Timestamp",
      "io.debezium.time.NanoTimestamp":
        return ValueKind.TIMESTAMP;
      case "io.debezium.time.ZonedTimestamp":
        return ValueKind.TIMESTAMPTZ;
      case "io.debezium.time.ZonedTime":
        return ValueKind.TIMETZ;
      case "io.debezium.time.Interval":
        return ValueKind.INTERVAL;
      case "io.debezium.data.Json":
        return ValueKind.JSON;
      case "io.debezium.data.Uuid":
        return ValueKind.UUID;
      case "io.debezium.data.Enum":
        return ValueKind.ENUM;
      default:
        break;
    }
    return switch (schema.type()) {
      case INT8, INT16 -> ValueKind.INT16;
      case INT32 -> ValueKind.INT32;
      case INT64 -> ValueKind.INT64;
      case FLOAT32 -> ValueKind.FLOAT32;
      case FLOAT64 -> ValueKind.FLOAT64;
      case BOOLEAN -> ValueKind.BOOLEAN;
      case BYTES -> ValueKind.BYTES;
      case ARRAY -> ValueKind.ARRAY;
      case STRING -> kindOfType(pgType, type);
      default -> ValueKind.OTHER;
    };
  }

  /** A column as the catalog describes it (for reports made before anything is captured). */
  public static Column columnOf(String name, SourceCatalog.ColumnType type, int keyPosition) {
    String pgType = type.effective();
    boolean array = pgType.endsWith("[]");
    ValueKind kind = array ? ValueKind.ARRAY : kindOfType(pgType, type);
    ValueKind element = array ? kindOfType(pgType.substring(0, pgType.length() - 2), type) : null;
    if (element == ValueKind.ARRAY) {
      element = ValueKind.OTHER;
    }
    return new Column(
        name,
        pgType,
        kind,
        element,
        keyPosition,
        !type.notNull() && keyPosition < 0,
        type.enumLabels(),
        type.missingValue());
  }

  /** The kind of a textual value by its PostgreSQL type. */
  static ValueKind kindOfType(String pgType, SourceCatalog.ColumnType type) {
    if (type != null && type.typtype() == 'e') {
      return ValueKind.ENUM;
    }
    String base =
        pgType.toLowerCase(Locale.ROOT).replaceAll("\\(.*\\)", "").replace("[]", "").trim();
    return switch (base) {
      case "numeric", "decimal", "money" -> ValueKind.DECIMAL;
      case "text",
          "character varying",
          "varchar",
          "character",
          "char",
          "bpchar",
          "name",
          "citext",
          "xml" ->
          ValueKind.TEXT;
      case "json", "jsonb" -> ValueKind.JSON;
      case "uuid" -> ValueKind.UUID;
      case "interval" -> ValueKind.INTERVAL;
      case "smallint", "int2" -> ValueKind.INT16;
      case "integer", "int4", "int" -> ValueKind.INT32;
      case "bigint", "int8" -> ValueKind.INT64;
      case "boolean", "bool" -> ValueKind.BOOLEAN;
      case "bytea" -> ValueKind.BYTES;
      case "date" -> ValueKind.DATE;
      case "real", "float4" -> ValueKind.FLOAT32;
      case "double precision", "float8" -> ValueKind.FLOAT64;
      default -> {
        if (base.startsWith("timestamp") && base.endsWith("with time zone")) {
          yield ValueKind.TIMESTAMPTZ;
        } else if (base.startsWith("timestamp")) {
          yield ValueKind.TIMESTAMP;
        } else if (base.startsWith("time") && base.endsWith("with time zone")) {
          yield ValueKind.TIMETZ;
        } else if (base.startsWith("time")) {
          yield ValueKind.TIME;
        }
        yield ValueKind.OTHER;
      }
    };
  }

  private static UnaryOperator<Object> converter(
      ValueKind kind, ValueKind elementKind, Schema schema) {
    String logical = schema.name() == null ? "" : schema.name();
    return switch (kind) {
      case INT16 -> raw -> raw instanceof Byte b ? (Object) (short) b : raw;
      case TIMESTAMPTZ ->
          raw -> isPlaceholder(raw) ? Unavailable.UNCHANGED_TOAST : zonedMicros((String) raw);
      case TIME ->
          switch (logical) {
            case "io.debezium.time.Time" -> raw -> ((Integer) raw).longValue() * 1000;
            case "io.debezium.time.NanoTime" -> raw -> (Long) raw / 1000;
            default -> raw -> raw;
          };
      case TIMESTAMP ->
          switch (logical) {
            case "io.debezium.time.Timestamp" -> raw -> (Long) raw * 1000;
            case "io.debezium.time.NanoTimestamp" -> raw -> (Long) raw / 1000;
            default -> raw -> timestampInfinity((Long) raw);
          };
      case DATE -> raw -> dateInfinity((Integer) raw);
      case BYTES -> RecordMapper::bytes;
      case DECIMAL -> raw -> raw instanceof String text ? decimalText(text) : raw;
      case ARRAY -> {
        UnaryOperator<Object> element = converter(elementKind, null, schema.valueSchema());
        yield raw -> {
          if (isPlaceholder(raw)) {
            return Unavailable.UNCHANGED_TOAST;
          }
          List<?> list = (List<?>) raw;
          List<Object> converted = new ArrayList<>(list.size());
          for (Object item : list) {
            converted.add(item == null ? null : element.apply(item));
          }
          return converted;
        };
      }
      default -> raw -> isPlaceholder(raw) ? Unavailable.UNCHANGED_TOAST : raw;
    };
  }

  /** The engine's form of PostgreSQL's timestamp infinities (pgjdbc's millisecond constants). */
  private static final long ENGINE_TIMESTAMP_INFINITY = 9223372036825200000L;

  private static final long ENGINE_TIMESTAMP_MINUS_INFINITY = -9223372036832400000L;

  /** The engine's form of PostgreSQL's date infinities: days of -5877611-06-21 and -22. */
  private static final int ENGINE_DATE_INFINITY = -2147472692;

  private static final int ENGINE_DATE_MINUS_INFINITY = -2147472691;

  /**
   * Timestamp infinities as the journal holds them: {@code Long.MAX_VALUE} and {@code MIN_VALUE}.
   */
  static Object timestampInfinity(long micros) {
    return micros == ENGINE_TIMESTAMP_INFINITY
        ? Long.MAX_VALUE
        : micros == ENGINE_TIMESTAMP_MINUS_INFINITY ? Long.MIN_VALUE : micros;
  }

  /** Date infinities as the journal holds them: {@code Integer.MAX_VALUE} and {@code MIN_VALUE}. */
  static Object dateInfinity(int days) {
    return days == ENGINE_DATE_INFINITY
        ? Integer.MAX_VALUE
        : days == ENGINE_DATE_MINUS_INFINITY ? Integer.MIN_VALUE : days;
  }

  private static Object bytes(Object raw) {
    byte[] bytes;
    if (raw instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      bytes = new byte[copy.remaining()];
      copy.get(bytes);
    } else if (raw instanceof byte[] array) {
      bytes = array;
    } else {
      return isPlaceholder(raw) ? Unavailable.UNCHANGED_TOAST : raw;
    }
    return Arrays.equals(bytes, UNCHANGED_BYTES) ? Unavailable.UNCHANGED_TOAST : bytes;
  }

  private static boolean isPlaceholder(Object raw) {
    if (raw instanceof String s) {
      return s.equals(UNCHANGED_PLACEHOLDER);
    }
    if (raw instanceof List<?> list) {
      return list.size() == 1 && isPlaceholder(list.get(0));
    }
    if (raw instanceof ByteBuffer || raw instanceof byte[]) {
      return bytes(raw) == Unavailable.UNCHANGED_TOAST;
    }
    return false;
  }

  /**
   * A decimal in PostgreSQL's own text form: {@code NaN}, {@code Infinity}, or plain digits with
   * their scale (the engine writes {@code NAN} and uses exponents for small values).
   */
  static Object decimalText(String text) {
    if (text.equals(UNCHANGED_PLACEHOLDER)) {
      return Unavailable.UNCHANGED_TOAST;
    }
    return switch (text.toUpperCase(Locale.ROOT)) {
      case "NAN" -> "NaN";
      case "INFINITY", "+INFINITY" -> "Infinity";
      case "-INFINITY" -> "-Infinity";
      default ->
          text.indexOf('E') >= 0 || text.indexOf('e') >= 0
              ? new java.math.BigDecimal(text).toPlainString()
              : text;
    };
  }

  /**
   * Micros since the epoch of an ISO offset timestamp; PostgreSQL's infinities as Long extremes.
   */
  static Object zonedMicros(String text) {
    if (text.equals("infinity")) {
      return Long.MAX_VALUE;
    }
    if (text.equals("-infinity")) {
      return Long.MIN_VALUE;
    }
    long utc = utcMicros(text);
    if (utc != NOT_PLAIN_UTC) {
      return utc;
    }
    OffsetDateTime time = OffsetDateTime.parse(text);
    return time.toEpochSecond() * 1_000_000L + time.getNano() / 1_000;
  }

  private static final long NOT_PLAIN_UTC = Long.MIN_VALUE;
  private static final long[] NANOS_PER_DIGIT = {
    100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
  };

  /**
   * The engine's usual form of a timestamptz, {@code 2026-11-22T06:49:18.899123Z} (a four-digit
   * year, UTC, 0 to 9 fraction digits), in microseconds since the epoch, as {@link
   * OffsetDateTime#parse} gives it but without its general parser (a twelfth of capture's own time
   * in the benchmark's profile); {@link #NOT_PLAIN_UTC} for any other form, which is then parsed
   * the general way.
   */
  static long utcMicros(String t) {
    int n = t.length();
    if (n < 20
        || t.charAt(n - 1) != 'Z'
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':') {
      return NOT_PLAIN_UTC;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > java.time.YearMonth.of(year, month).lengthOfMonth()
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return NOT_PLAIN_UTC;
    }
    long nanos = 0;
    if (n > 20) {
      int fraction = n - 21;
      if (t.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return NOT_PLAIN_UTC;
      }
      int value = digits(t, 20, fraction);
      if (value < 0) {
        return NOT_PLAIN_UTC;
      }
      nanos = value * NANOS_PER_DIGIT[fraction - 1];
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    long seconds = days * 86_400 + hour * 3_600L + minute * 60L + second;
    return seconds * 1_000_000L + nanos / 1_000;
  }

  /** The decimal number of {@code count} digits at {@code from}, or -1 when one is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
