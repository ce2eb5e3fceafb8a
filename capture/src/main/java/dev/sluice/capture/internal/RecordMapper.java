package dev.sluice.capture.internal;

import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Generated;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.PgText;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.Unavailable;
import dev.sluice.journal.ValueKind;
import java.nio.charset.StandardCharsets;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the engine's data change records into journal changes. Each row schema the engine reports
 * becomes one journal schema version, with the exact source types read from the catalog; values
 * arrive already in {@link ValueKind}'s representations ({@link ExactValues} converts them inside
 * the engine), and the engine's placeholder for unchanged TOASTed values becomes {@link
 * Unavailable#UNCHANGED_TOAST}.
 *
 * <p>Two kinds of value cannot come exactly out of the engine's parse of a streamed change: a
 * {@code timetz} (the engine keeps only its instant, in UTC) and, from PostgreSQL 17 on, an
 * interval's {@code infinity} (read as zero). Their text is read again from the source, by the
 * row's key, when the row there is still the version the change wrote ({@code xmin} is the change's
 * transaction): so the last version of every row is exact. A version changed again before it was
 * read keeps the engine's reading (the instant in UTC, or zero), for as long as the next change of
 * the row takes to arrive.
 *
 * <p>Generated columns that the source does not publish (PostgreSQL before 18) are in every schema
 * version; streamed changes hold {@link Unavailable#ABSENT} in them.
 *
 * <p>Not thread-safe: used by the capture thread only.
 */
public final class RecordMapper {
  /** What the engine is told to send for an unchanged TOASTed value. */
  public static final String UNCHANGED_PLACEHOLDER = "__sluice_unchanged_toast__";

  private static final byte[] UNCHANGED_BYTES =
      UNCHANGED_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
  private static final String TYPE_PARAMETER = "__debezium.source.column.type";
  private static final Logger LOG = LoggerFactory.getLogger(RecordMapper.class);

  private final Function<TableSchema, TableSchema> registry;
  private final CatalogLookup catalog;
  private final Map<Schema, RowMapping> mappings = new IdentityHashMap<>();
  private final Map<TableName, RowMapping> latestByTable = new HashMap<>();

  /** The last source block's schema, and its commit time fields (looked up once per schema). */
  private Schema sourceSchema;

  private Field sourceMicros;
  private Field sourceMillis;

  /**
   * Source catalog facts the mapper needs; may fail (then the engine's own type names are used).
   */
  public interface CatalogLookup {
    Map<String, SourceCatalog.ColumnType> columns(TableName table) throws Exception;

    ReplicaIdentity identity(TableName table) throws Exception;

    /** Whether the change stream carries generated columns' values. */
    boolean publishesGeneratedColumns() throws Exception;

    /** The source's major version number ({@code 17}). */
    int majorVersion() throws Exception;

    /**
     * The text (as PostgreSQL prints it, {@code IntervalStyle = iso_8601}) of some columns of the
     * row with this key, when the row is the version written by transaction {@code txId}; empty
     * when it is not (changed or deleted since) or cannot be read.
     *
     * @param key the key columns, in key order
     * @param keyValues their values, in the journal's representation
     */
    Map<String, String> rowText(
        TableName table, List<Column> key, Object[] keyValues, List<String> columns, long txId)
        throws Exception;
  }

  /**
   * @param registry registers a schema version in the journal and returns it with its id
   */
  public RecordMapper(Function<TableSchema, TableSchema> registry, CatalogLookup catalog) {
    this.registry = registry;
    this.catalog = catalog;
  }

  /**
   * A row schema with its converters.
   *
   * @param fields the engine's field for each journal column, or null for a generated column the
   *     change stream does not carry
   * @param reread the indexes of columns whose streamed values are read again from the source
   * @param rereadZeroOnly for each of those, whether only a zero interval is read again
   */
  private record RowMapping(
      TableSchema schema,
      Field[] fields,
      UnaryOperator<Object>[] converters,
      int[] reread,
      boolean[] rereadZeroOnly) {}

  /**
   * Maps a data change record.
   *
   * @return the change, or null when the record is not a row change (a logical message)
   */
  public ChangeEvent map(SourceRecord record, SourcePosition position, int flags) {
    Struct value = (Struct) record.value();
    Op op = opOf(value.getString("op"));
    Struct source = value.getStruct("source");
    Long txId = source.getInt64("txId");
    long commitMicros = commitMicros(source);
    flags |= originFlag(source);
    if (op == Op.TRUNCATE) {
      TableName table = tableOf(source);
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
      TableName table = tableOf(source);
      mapping = newMapping(table, rowSchema, record.keySchema());
      mappings.put(rowSchema, mapping);
      latestByTable.put(table, mapping);
    }
    Object[] afterRow = after == null ? null : row(after, rowSchema, mapping);
    Object[] beforeRow = before == null ? null : row(before, rowSchema, mapping);
    if (beforeRow != null
        && op == Op.DELETE
        && mapping.schema().identity() != ReplicaIdentity.FULL) {
      for (int i = 0; i < beforeRow.length; i++) {
        if (!mapping.schema().columns().get(i).isKey()) {
          beforeRow[i] = Unavailable.ABSENT;
        }
      }
    }
    if (afterRow != null && (op == Op.INSERT || op == Op.UPDATE) && mapping.reread().length > 0) {
      readAgain(mapping, afterRow, txId == null ? 0 : txId);
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

  /**
   * {@link ChangeEvent#FROM_PEER} when the change's transaction carried a bidirectional rule's
   * replication origin (pgoutput sends the origin after BEGIN; Debezium keeps it in {@code
   * source.origin} until the next BEGIN), else 0.
   */
  private static int originFlag(Struct source) {
    Field field = source.schema().field("origin");
    Object origin = field == null ? null : source.get(field);
    return origin instanceof String name && name.startsWith(ChangeEvent.PEER_ORIGIN_PREFIX)
        ? ChangeEvent.FROM_PEER
        : 0;
  }

  /**
   * The operation of the engine's one-letter code, without {@link Op#parse}'s lower-casing and
   * search (this runs for every change).
   */
  static Op opOf(String code) {
    if (code.length() == 1) {
      switch (code.charAt(0)) {
        case 'c':
          return Op.INSERT;
        case 'u':
          return Op.UPDATE;
        case 'd':
          return Op.DELETE;
        case 'r':
          return Op.READ;
        case 't':
          return Op.TRUNCATE;
        default:
          break;
      }
    }
    return Op.parse(code);
  }

  private static TableName tableOf(Struct source) {
    return new TableName(source.getString("schema"), source.getString("table"));
  }

  /** The commit time: {@code ts_us}, or {@code ts_ms} where a source block has no microseconds. */
  private long commitMicros(Struct source) {
    Schema schema = source.schema();
    if (schema != sourceSchema) {
      sourceSchema = schema;
      sourceMicros = schema.field("ts_us");
      sourceMillis = schema.field("ts_ms");
    }
    Object micros = sourceMicros == null ? null : source.get(sourceMicros);
    if (micros != null) {
      return (Long) micros;
    }
    return (Long) source.get(sourceMillis) * 1000;
  }

  /**
   * The row's values in journal columns' order. A field of the schema the mapping was made for is
   * read by its index; one whose schema has a default, or of a struct with another schema, by its
   * name and without the default, as the engine sent it (a NULL stays NULL).
   */
  private static Object[] row(Struct struct, Schema mapped, RowMapping mapping) {
    Field[] fields = mapping.fields();
    UnaryOperator<Object>[] converters = mapping.converters();
    boolean sameSchema = struct.schema() == mapped;
    Object[] row = new Object[fields.length];
    for (int i = 0; i < fields.length; i++) {
      Field field = fields[i];
      if (field == null) {
        row[i] = Unavailable.ABSENT;
        continue;
      }
      Object raw =
          sameSchema && field.schema().defaultValue() == null
              ? struct.get(field)
              : struct.getWithoutDefault(field.name());
      row[i] = raw == null ? null : converters[i].apply(raw);
    }
    return row;
  }

  /** Reads timetz values (and zero intervals) of a streamed row again, from the source. */
  private void readAgain(RowMapping mapping, Object[] row, long txId) {
    TableSchema schema = mapping.schema();
    List<String> names = new ArrayList<>();
    for (int r = 0; r < mapping.reread().length; r++) {
      Object value = row[mapping.reread()[r]];
      if (value instanceof String text && (!mapping.rereadZeroOnly()[r] || text.equals("PT0S"))) {
        names.add(schema.columns().get(mapping.reread()[r]).name());
      }
    }
    if (names.isEmpty() || !schema.hasKey()) {
      return;
    }
    List<Column> key = new ArrayList<>();
    Object[] keyValues = new Object[schema.keyIndexes().length];
    for (int k = 0; k < keyValues.length; k++) {
      key.add(schema.columns().get(schema.keyIndexes()[k]));
      keyValues[k] = row[schema.keyIndexes()[k]];
    }
    Map<String, String> texts;
    try {
      texts = catalog.rowText(schema.table(), key, keyValues, names, txId);
    } catch (Exception e) {
      LOG.debug("cannot read {} of {} again: {}", names, schema.table(), e.getMessage());
      return;
    }
    for (Map.Entry<String, String> text : texts.entrySet()) {
      row[schema.indexOf(text.getKey())] = text.getValue();
    }
  }

  @SuppressWarnings("unchecked")
  private RowMapping newMapping(TableName table, Schema rowSchema, Schema keySchema) {
    Map<String, SourceCatalog.ColumnType> types = Map.of();
    ReplicaIdentity identity = ReplicaIdentity.DEFAULT;
    boolean generatedPublished = false;
    int major = 0;
    try {
      types = catalog.columns(table);
      identity = catalog.identity(table);
      generatedPublished = catalog.publishesGeneratedColumns();
      major = catalog.majorVersion();
    } catch (Exception e) {
      LOG.warn(
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
    List<Column> columns = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    List<UnaryOperator<Object>> converters = new ArrayList<>();
    List<Integer> reread = new ArrayList<>();
    List<Boolean> zeroOnly = new ArrayList<>();
    List<String> names = new ArrayList<>(types.keySet());
    for (Field field : rowSchema.fields()) {
      if (!types.containsKey(field.name())) {
        names.add(field.name()); // the catalog does not know it (it could not be read)
      }
    }
    for (String name : names) {
      Field field = rowSchema.field(name);
      SourceCatalog.ColumnType type = types.get(name);
      if (field == null && (type == null || type.generatedExpression() == null)) {
        continue; // a column added since the change was made
      }
      String pgType = type != null ? type.effective() : engineTypeName(field.schema());
      ValueKind kind = kindOf(field == null ? null : field.schema(), pgType, type);
      ValueKind elementKind = kind == ValueKind.ARRAY ? elementKindOf(pgType, type) : null;
      int keyPosition = keyNames.indexOf(name);
      boolean optional =
          type != null ? !type.notNull() : field == null || field.schema().isOptional();
      Column column =
          new Column(
              name,
              pgType,
              kind,
              elementKind,
              keyPosition,
              optional && keyPosition < 0,
              type != null ? type.enumLabels() : List.of(),
              type != null ? type.missingValue() : null,
              type != null ? type.sourceType() : null,
              type != null && type.generatedExpression() != null
                  ? new Generated(type.generatedExpression(), generatedPublished)
                  : null);
      if (kind == ValueKind.TIMETZ || (kind == ValueKind.INTERVAL && major >= 17)) {
        reread.add(columns.size());
        zeroOnly.add(kind == ValueKind.INTERVAL);
      }
      columns.add(column);
      fields.add(field);
      converters.add(converter(kind));
    }
    TableSchema schema = registry.apply(new TableSchema(0, table, columns, identity));
    boolean[] zero = new boolean[zeroOnly.size()];
    for (int i = 0; i < zero.length; i++) {
      zero[i] = zeroOnly.get(i);
    }
    return new RowMapping(
        schema,
        fields.toArray(new Field[0]),
        converters.toArray(new UnaryOperator[0]),
        reread.stream().mapToInt(Integer::intValue).toArray(),
        zero);
  }

  /** A schema for a table seen only in a TRUNCATE, from the catalog. */
  private RowMapping mappingFromCatalog(TableName table) {
    List<Column> columns = new ArrayList<>();
    ReplicaIdentity identity = ReplicaIdentity.DEFAULT;
    try {
      identity = catalog.identity(table);
      for (Map.Entry<String, SourceCatalog.ColumnType> entry : catalog.columns(table).entrySet()) {
        columns.add(
            columnOf(entry.getKey(), entry.getValue(), -1, catalog.publishesGeneratedColumns()));
      }
    } catch (Exception e) {
      LOG.warn("cannot read the source catalog for {}: {}", table, e.getMessage());
    }
    TableSchema schema = registry.apply(new TableSchema(0, table, columns, identity));
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array
    RowMapping mapping =
        new RowMapping(schema, new Field[0], new UnaryOperator[0], new int[0], new boolean[0]);
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

  /**
   * A column's kind: the representation {@link ExactValues} gave its values (named in its schema),
   * refined by the catalog for text-represented ones (enums, {@code citext}).
   */
  static ValueKind kindOf(Schema schema, String pgType, SourceCatalog.ColumnType type) {
    String name = schema == null ? null : schema.name();
    if (name != null && name.startsWith(ExactValues.SCHEMA_PREFIX)) {
      ValueKind kind = ValueKind.valueOf(name.substring(ExactValues.SCHEMA_PREFIX.length()));
      if (kind == ValueKind.OTHER) {
        ValueKind byType = kindOfType(pgType, type);
        return switch (byType) {
          case TEXT, ENUM, JSON, UUID -> byType;
          default -> ValueKind.OTHER;
        };
      }
      return kind;
    }
    if (schema == null) {
      // a generated column the change stream does not carry: only its catalog type is known
      return pgType.endsWith("]") ? ValueKind.ARRAY : kindOfType(pgType, type);
    }
    return switch (schema.type()) {
      case INT8, INT16 -> ValueKind.INT16;
      case INT32 -> ValueKind.INT32;
      case INT64 -> ValueKind.INT64;
      case FLOAT32 -> ValueKind.FLOAT32;
      case FLOAT64 -> ValueKind.FLOAT64;
      case BOOLEAN -> ValueKind.BOOLEAN;
      case BYTES -> ValueKind.BYTES;
      default -> ValueKind.OTHER;
    };
  }

  /** The kind of an array type's elements. */
  private static ValueKind elementKindOf(String pgType, SourceCatalog.ColumnType type) {
    int bracket = pgType.indexOf('[');
    String element = bracket < 0 ? pgType : pgType.substring(0, bracket);
    if (type != null && !type.enumLabels().isEmpty()) {
      return ValueKind.ENUM;
    }
    ValueKind kind = kindOfType(element, null);
    return kind == ValueKind.ARRAY ? ValueKind.OTHER : kind;
  }

  /**
   * A column as the catalog describes it (for reports made before anything is captured).
   *
   * @param generatedPublished whether the source publishes generated columns' values
   */
  public static Column columnOf(
      String name, SourceCatalog.ColumnType type, int keyPosition, boolean generatedPublished) {
    String pgType = type.effective();
    boolean array = pgType.endsWith("]");
    ValueKind kind = array ? ValueKind.ARRAY : kindOfType(pgType, type);
    ValueKind element = array ? elementKindOf(pgType, type) : null;
    return new Column(
        name,
        pgType,
        kind,
        element,
        keyPosition,
        !type.notNull() && keyPosition < 0,
        type.enumLabels(),
        type.missingValue(),
        type.sourceType(),
        type.generatedExpression() == null
            ? null
            : new Generated(type.generatedExpression(), generatedPublished));
  }

  /** The kind of a value by its PostgreSQL type. */
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
          "\"char\"",
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
      case "bigint", "int8", "oid" -> ValueKind.INT64;
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

  /**
   * From the value {@link ExactValues} gave to the journal's: timestamps from PG-epoch
   * microseconds, the unchanged-TOAST placeholder to its marker.
   */
  private static UnaryOperator<Object> converter(ValueKind kind) {
    return switch (kind) {
      case TIMESTAMP, TIMESTAMPTZ ->
          raw -> {
            long pgMicros = (Long) raw;
            Long unix = PgText.unixMicros(pgMicros);
            return unix != null
                ? (Object) unix
                : PgText.timestamp(pgMicros, kind == ValueKind.TIMESTAMPTZ);
          };
      case BYTES ->
          raw -> Arrays.equals((byte[]) raw, UNCHANGED_BYTES) ? Unavailable.UNCHANGED_TOAST : raw;
      case BOOLEAN, INT16, INT32, INT64, FLOAT32, FLOAT64, DATE, TIME -> raw -> raw;
      default -> raw -> UNCHANGED_PLACEHOLDER.equals(raw) ? Unavailable.UNCHANGED_TOAST : raw;
    };
  }
}
