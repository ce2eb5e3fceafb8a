package dev.sluice.journal.internal;

import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Generated;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.SourceType;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.TypeDefinition;
import dev.sluice.journal.Unavailable;
import dev.sluice.journal.ValueKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The binary form of journal entries and table schemas.
 *
 * <p>A change is a header (schema id, op, flags, source position, transaction, commit) and its row
 * images; a row is one tagged value per schema column, so column names and types are stored once
 * per schema version, never per event. Integers use Chronicle's stop-bit (variable length)
 * encoding. Stateless and thread-safe.
 */
public final class EntryCodec {
  static final byte CHANGE = 'C';
  static final byte MARKER = 'M';

  private static final byte NULL = 0;
  private static final byte UNCHANGED_TOAST = 1;
  private static final byte ABSENT = 2;
  private static final byte FALSE = 3;
  private static final byte TRUE = 4;
  private static final byte SHORT = 5;
  private static final byte INT = 6;
  private static final byte LONG = 7;
  private static final byte FLOAT = 8;
  private static final byte DOUBLE = 9;
  private static final byte STRING = 10;
  private static final byte BYTES = 11;
  private static final byte LIST = 12;

  private static final int HAS_BEFORE = 1;
  private static final int HAS_AFTER = 2;

  private static final Op[] OPS = Op.values();
  private static final Marker.Kind[] MARKER_KINDS = Marker.Kind.values();
  private static final ReplicaIdentity[] IDENTITIES = ReplicaIdentity.values();
  private static final ValueKind[] KINDS = ValueKind.values();

  /**
   * An optional section after a schema's columns: each column's {@link Column#defaultText()}.
   * Schemas written before it existed end after their columns and read as columns without one.
   */
  private static final byte SCHEMA_DEFAULTS = 1;

  /**
   * An optional section after a schema's columns: each column's {@link Column#sourceType()} and
   * {@link Column#generated()}. Schemas written before it existed read as columns without them.
   */
  private static final byte SCHEMA_SOURCE_TYPES = 2;

  private static final TypeDefinition.Kind[] TYPE_KINDS = TypeDefinition.Kind.values();

  private EntryCodec() {}

  /** Writes a change whose schema is registered (has an id). */
  public static void writeChange(ChangeEvent event, Bytes<?> out) {
    if (event.schema().id() <= 0) {
      throw new IllegalArgumentException("the schema of " + event + " is not registered");
    }
    out.writeByte(CHANGE);
    out.writeStopBit(event.schema().id());
    out.writeByte((byte) event.op().ordinal());
    out.writeStopBit(event.flags());
    SourcePosition source = event.source();
    out.writeStopBit(source.epoch());
    out.writeStopBit(source.prevCommitLsn());
    out.writeStopBit(source.lsn());
    out.writeStopBit(source.sub());
    out.writeStopBit(event.txId());
    out.writeStopBit(event.commitLsn());
    out.writeStopBit(event.commitTimeMicros());
    int rows = (event.before() != null ? HAS_BEFORE : 0) | (event.after() != null ? HAS_AFTER : 0);
    out.writeByte((byte) rows);
    int width = event.schema().columns().size();
    if (event.before() != null) {
      writeRow(event.before(), width, out);
    }
    if (event.after() != null) {
      writeRow(event.after(), width, out);
    }
  }

  public static void writeMarker(Marker marker, Bytes<?> out) {
    out.writeByte(MARKER);
    out.writeByte((byte) marker.kind().ordinal());
    out.writeStopBit(marker.timeMicros());
    out.writeStopBit(marker.tables().size());
    for (TableName table : marker.tables()) {
      out.writeUtf8(table.schema());
      out.writeUtf8(table.name());
    }
    out.writeUtf8(marker.detail());
  }

  /**
   * Reads an entry.
   *
   * @param schemas finds a schema by id; returns null when the id is unknown
   * @throws IllegalStateException when the bytes are not an entry or name an unknown schema
   */
  public static JournalEntry read(long position, Bytes<?> in, IntFunction<TableSchema> schemas) {
    byte type = in.readByte();
    if (type == MARKER) {
      Marker.Kind kind = MARKER_KINDS[in.readByte()];
      long time = in.readStopBit();
      int count = (int) in.readStopBit();
      List<TableName> tables = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        tables.add(new TableName(in.readUtf8(), in.readUtf8()));
      }
      return new Marker(position, kind, time, tables, in.readUtf8());
    }
    if (type != CHANGE) {
      throw new IllegalStateException(
          "not a journal entry at " + position + " (type " + type + ")");
    }
    int schemaId = (int) in.readStopBit();
    TableSchema schema = schemas.apply(schemaId);
    if (schema == null) {
      throw new IllegalStateException(
          "the journal entry at " + position + " names unknown schema " + schemaId);
    }
    Op op = OPS[in.readByte()];
    int flags = (int) in.readStopBit();
    SourcePosition source =
        new SourcePosition(
            (int) in.readStopBit(), in.readStopBit(), in.readStopBit(), (int) in.readStopBit());
    long txId = in.readStopBit();
    long commitLsn = in.readStopBit();
    long commitTime = in.readStopBit();
    int rows = in.readByte();
    int width = schema.columns().size();
    // one scratch buffer per entry for its text values: read without Chronicle's string interner,
    // which the benchmark's profile showed costing an eighth of the apply thread
    StringBuilder text = new StringBuilder(64);
    Object[] before = (rows & HAS_BEFORE) != 0 ? readRow(width, in, text) : null;
    Object[] after = (rows & HAS_AFTER) != 0 ? readRow(width, in, text) : null;
    return new ChangeEvent(
        position, schema, op, before, after, txId, source, commitLsn, commitTime, flags);
  }

  /**
   * The fields of a change without its rows, for searches.
   *
   * @param source the change's source position
   * @param commitLsn its transaction's commit LSN when it is the last change, else 0
   * @param commitTimeMicros the commit time
   * @param flags the change's flags
   */
  public record Header(SourcePosition source, long commitLsn, long commitTimeMicros, int flags) {}

  /** The header of a change, or null for a marker. */
  public static Header readHeader(Bytes<?> in) {
    if (in.readByte() != CHANGE) {
      return null;
    }
    in.readStopBit(); // schema
    in.readByte(); // op
    int flags = (int) in.readStopBit();
    SourcePosition source =
        new SourcePosition(
            (int) in.readStopBit(), in.readStopBit(), in.readStopBit(), (int) in.readStopBit());
    in.readStopBit(); // tx
    long commitLsn = in.readStopBit();
    return new Header(source, commitLsn, in.readStopBit(), flags);
  }

  private static void writeRow(Object[] row, int width, Bytes<?> out) {
    if (row.length != width) {
      throw new IllegalArgumentException(
          "a row of " + row.length + " values for " + width + " columns");
    }
    for (Object value : row) {
      writeValue(value, out);
    }
  }

  private static Object[] readRow(int width, Bytes<?> in, StringBuilder text) {
    Object[] row = new Object[width];
    for (int i = 0; i < width; i++) {
      row[i] = readValue(in, text);
    }
    return row;
  }

  static void writeValue(Object value, Bytes<?> out) {
    if (value == null) {
      out.writeByte(NULL);
    } else if (value instanceof String s) {
      out.writeByte(STRING);
      out.writeUtf8(s);
    } else if (value instanceof Long l) {
      out.writeByte(LONG);
      out.writeStopBit(l);
    } else if (value instanceof Integer i) {
      out.writeByte(INT);
      out.writeStopBit(i);
    } else if (value instanceof Boolean b) {
      out.writeByte(b ? TRUE : FALSE);
    } else if (value instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (value instanceof Short s) {
      out.writeByte(SHORT);
      out.writeStopBit(s);
    } else if (value instanceof Float f) {
      out.writeByte(FLOAT);
      out.writeFloat(f);
    } else if (value instanceof byte[] bytes) {
      out.writeByte(BYTES);
      out.writeStopBit(bytes.length);
      out.write(bytes);
    } else if (value instanceof List<?> list) {
      out.writeByte(LIST);
      out.writeStopBit(list.size());
      for (Object element : list) {
        writeValue(element, out);
      }
    } else if (value == Unavailable.UNCHANGED_TOAST) {
      out.writeByte(UNCHANGED_TOAST);
    } else if (value == Unavailable.ABSENT) {
      out.writeByte(ABSENT);
    } else {
      throw new IllegalArgumentException("cannot journal a value of " + value.getClass());
    }
  }

  static Object readValue(Bytes<?> in) {
    return readValue(in, new StringBuilder());
  }

  /**
   * @param text a scratch buffer for string values (overwritten); strings are new instances, never
   *     interned
   */
  static Object readValue(Bytes<?> in, StringBuilder text) {
    byte tag = in.readByte();
    return switch (tag) {
      case NULL -> null;
      case STRING -> {
        text.setLength(0);
        in.readUtf8(text);
        yield text.toString();
      }
      case LONG -> in.readStopBit();
      case INT -> (int) in.readStopBit();
      case TRUE -> Boolean.TRUE;
      case FALSE -> Boolean.FALSE;
      case DOUBLE -> in.readDouble();
      case SHORT -> (short) in.readStopBit();
      case FLOAT -> in.readFloat();
      case BYTES -> {
        byte[] bytes = new byte[(int) in.readStopBit()];
        in.read(bytes);
        yield bytes;
      }
      case LIST -> {
        int size = (int) in.readStopBit();
        List<Object> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          list.add(readValue(in, text));
        }
        yield list;
      }
      case UNCHANGED_TOAST -> Unavailable.UNCHANGED_TOAST;
      case ABSENT -> Unavailable.ABSENT;
      default -> throw new IllegalStateException("unknown value tag " + tag);
    };
  }

  /** Writes a schema (with its id). */
  public static void writeSchema(TableSchema schema, Bytes<?> out) {
    out.writeStopBit(schema.id());
    out.writeUtf8(schema.table().schema());
    out.writeUtf8(schema.table().name());
    out.writeByte((byte) schema.identity().ordinal());
    out.writeStopBit(schema.columns().size());
    for (Column column : schema.columns()) {
      out.writeUtf8(column.name());
      out.writeUtf8(column.pgType());
      out.writeByte((byte) column.kind().ordinal());
      out.writeByte((byte) (column.elementKind() == null ? -1 : column.elementKind().ordinal()));
      out.writeStopBit(column.keyPosition());
      out.writeBoolean(column.optional());
      out.writeStopBit(column.enumValues().size());
      for (String label : column.enumValues()) {
        out.writeUtf8(label);
      }
    }
    if (schema.columns().stream().anyMatch(c -> c.defaultText() != null)) {
      out.writeByte(SCHEMA_DEFAULTS);
      for (Column column : schema.columns()) {
        out.writeUtf8(column.defaultText());
      }
    }
    if (schema.columns().stream().anyMatch(c -> c.sourceType() != null || c.isGenerated())) {
      out.writeByte(SCHEMA_SOURCE_TYPES);
      for (Column column : schema.columns()) {
        writeSourceType(column.sourceType(), out);
        Generated generated = column.generated();
        out.writeBoolean(generated != null);
        if (generated != null) {
          out.writeUtf8(generated.expression());
          out.writeBoolean(generated.published());
        }
      }
    }
  }

  private static void writeSourceType(SourceType type, Bytes<?> out) {
    out.writeBoolean(type != null);
    if (type == null) {
      return;
    }
    out.writeUtf8(type.expression());
    out.writeStopBit(type.definitions().size());
    for (TypeDefinition definition : type.definitions()) {
      out.writeUtf8(definition.schema());
      out.writeUtf8(definition.name());
      out.writeByte((byte) definition.kind().ordinal());
      out.writeUtf8(definition.extension());
      out.writeUtf8(definition.definition());
    }
  }

  private static SourceType readSourceType(Bytes<?> in) {
    if (!in.readBoolean()) {
      return null;
    }
    String expression = in.readUtf8();
    int count = (int) in.readStopBit();
    List<TypeDefinition> definitions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      definitions.add(
          new TypeDefinition(
              in.readUtf8(),
              in.readUtf8(),
              TYPE_KINDS[in.readByte()],
              in.readUtf8(),
              in.readUtf8()));
    }
    return new SourceType(expression, definitions);
  }

  public static TableSchema readSchema(Bytes<?> in) {
    int id = (int) in.readStopBit();
    TableName table = new TableName(in.readUtf8(), in.readUtf8());
    ReplicaIdentity identity = IDENTITIES[in.readByte()];
    int count = (int) in.readStopBit();
    List<Column> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String name = in.readUtf8();
      String pgType = in.readUtf8();
      ValueKind kind = KINDS[in.readByte()];
      int element = in.readByte();
      int keyPosition = (int) in.readStopBit();
      boolean optional = in.readBoolean();
      int labels = (int) in.readStopBit();
      List<String> enumValues = new ArrayList<>(labels);
      for (int j = 0; j < labels; j++) {
        enumValues.add(in.readUtf8());
      }
      columns.add(
          new Column(
              name,
              pgType,
              kind,
              element < 0 ? null : KINDS[element],
              keyPosition,
              optional,
              enumValues));
    }
    while (in.readRemaining() > 0) {
      byte section = in.readByte();
      if (section == SCHEMA_DEFAULTS) {
        for (int i = 0; i < count; i++) {
          columns.set(i, columns.get(i).withDefaultText(in.readUtf8()));
        }
      } else if (section == SCHEMA_SOURCE_TYPES) {
        for (int i = 0; i < count; i++) {
          SourceType type = readSourceType(in);
          Generated generated =
              in.readBoolean() ? new Generated(in.readUtf8(), in.readBoolean()) : null;
          columns.set(i, columns.get(i).withSource(type, generated));
        }
      } else {
        throw new IllegalStateException(
            "unknown section "
                + section
                + " in the schema of "
                + table
                + ": a newer Sluice wrote it");
      }
    }
    return new TableSchema(id, table, columns, identity);
  }
}
