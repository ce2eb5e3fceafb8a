package dev.sluice.journal.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

class EntryCodecTest {
  private static final TableSchema EVERYTHING =
      new TableSchema(
          7,
          new TableName("public", "Odd \"Name\""),
          List.of(
              Column.of("i2", "smallint", ValueKind.INT16).asKey(1),
              Column.of("i4", "integer", ValueKind.INT32).asKey(0),
              Column.of("i8", "bigint", ValueKind.INT64),
              Column.of("f4", "real", ValueKind.FLOAT32),
              Column.of("f8", "double precision", ValueKind.FLOAT64),
              Column.of("b", "boolean", ValueKind.BOOLEAN),
              Column.of("t", "text", ValueKind.TEXT),
              Column.of("bytes", "bytea", ValueKind.BYTES),
              new Column("arr", "integer[]", ValueKind.ARRAY, ValueKind.INT32, -1, true, List.of()),
              new Column(
                  "mood", "mood", ValueKind.ENUM, null, -1, true, List.of("sad", "ok", "happy")),
              Column.of("big", "text", ValueKind.TEXT),
              Column.of("gone", "text", ValueKind.TEXT)),
          ReplicaIdentity.FULL);

  private static JournalEntry roundTrip(JournalEntry entry) {
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    try {
      if (entry instanceof ChangeEvent change) {
        EntryCodec.writeChange(change, bytes);
      } else {
        EntryCodec.writeMarker((Marker) entry, bytes);
      }
      return EntryCodec.read(
          entry.position(), bytes, id -> id == EVERYTHING.id() ? EVERYTHING : null);
    } finally {
      bytes.releaseLast();
    }
  }

  @Test
  void everyValueRepresentationSurvivesTheRoundTripExactly() {
    Object[] after = {
      Short.MIN_VALUE,
      Integer.MIN_VALUE,
      Long.MAX_VALUE,
      -0.0f,
      Double.NaN,
      true,
      "four-byte 😀 unicode, ümlaut, \u0000 nul",
      new byte[] {0, (byte) 0xff, 10},
      Arrays.asList(1, null, -3),
      "happy",
      Unavailable.UNCHANGED_TOAST,
      null
    };
    Object[] before = {
      (short) 1,
      2,
      3L,
      Float.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      false,
      "",
      new byte[0],
      List.of(),
      "sad",
      "x",
      Unavailable.ABSENT
    };
    ChangeEvent event =
        new ChangeEvent(
            42,
            EVERYTHING,
            Op.UPDATE,
            before,
            after,
            4_000_000_000L,
            new SourcePosition(3, 0x16B374D848L, 0x16B374D900L, 1),
            0x16B374DA00L,
            1_795_315_492_946_072L,
            ChangeEvent.LAST_IN_TRANSACTION);

    ChangeEvent read = (ChangeEvent) roundTrip(event);

    assertThat(read).isEqualTo(event);
    assertThat(read.after()[0]).isInstanceOf(Short.class);
    assertThat(Float.floatToRawIntBits((Float) read.after()[3]))
        .isEqualTo(Float.floatToRawIntBits(-0.0f));
    assertThat(read.key()).containsExactly(Integer.MIN_VALUE, Short.MIN_VALUE);
  }

  @Test
  void aTruncateHasNoRows() {
    ChangeEvent truncate =
        new ChangeEvent(
            1, EVERYTHING, Op.TRUNCATE, null, null, 9, new SourcePosition(1, 5, 6, 0), 0, 7, 0);

    assertThat(roundTrip(truncate)).isEqualTo(truncate);
  }

  @Test
  void markersKeepTheirTablesAndDetail() {
    Marker marker =
        new Marker(
            3,
            Marker.Kind.SNAPSHOT_STARTED,
            123,
            List.of(new TableName("a", "b"), new TableName("public", "C d")),
            "initial");

    assertThat(roundTrip(marker)).isEqualTo(marker);
  }

  @Test
  void columnDefaultsSurviveTheRoundTrip() {
    TableSchema withDefaults =
        new TableSchema(
            8,
            new TableName("public", "items"),
            List.of(
                Column.of("id", "integer", ValueKind.INT32).asKey(0),
                Column.of("status", "text", ValueKind.TEXT).withDefaultText("it's \"new\""),
                Column.of("note", "text", ValueKind.TEXT),
                Column.of("empty", "text", ValueKind.TEXT).withDefaultText("")),
            ReplicaIdentity.DEFAULT);
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    EntryCodec.writeSchema(withDefaults, bytes);

    TableSchema read = EntryCodec.readSchema(bytes);

    assertThat(read).isEqualTo(withDefaults);
    assertThat(read.columns())
        .extracting(Column::defaultText)
        .containsExactly(null, "it's \"new\"", null, "");
    bytes.releaseLast();
  }

  @Test
  void aSchemaWrittenBeforeColumnDefaultsExistedReadsAsColumnsWithoutOne() {
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    bytes.writeStopBit(3);
    bytes.writeUtf8("public");
    bytes.writeUtf8("old");
    bytes.writeByte((byte) ReplicaIdentity.DEFAULT.ordinal());
    bytes.writeStopBit(1);
    bytes.writeUtf8("id");
    bytes.writeUtf8("integer");
    bytes.writeByte((byte) ValueKind.INT32.ordinal());
    bytes.writeByte((byte) -1);
    bytes.writeStopBit(0);
    bytes.writeBoolean(false);
    bytes.writeStopBit(0);

    TableSchema read = EntryCodec.readSchema(bytes);

    assertThat(read.columns())
        .containsExactly(Column.of("id", "integer", ValueKind.INT32).asKey(0));
    assertThat(read.columns().get(0).defaultText()).isNull();
    assertThat(read.columns().get(0).sourceType()).isNull();
    assertThat(read.columns().get(0).generated()).isNull();
    bytes.releaseLast();
  }

  @Test
  void exactSourceTypesTheirDefinitionsAndGeneratedColumnsSurviveTheRoundTrip() {
    TypeDefinition mood =
        new TypeDefinition(
            "odd schema", "mood", TypeDefinition.Kind.ENUM, null, "CREATE TYPE ... AS ENUM ('a')");
    TypeDefinition citext =
        new TypeDefinition("public", "citext", TypeDefinition.Kind.EXTENSION, "citext", null);
    TableSchema typed =
        new TableSchema(
            4,
            new TableName("public", "typed"),
            List.of(
                Column.of("id", "integer", ValueKind.INT32)
                    .asKey(0)
                    .withSource(SourceType.builtIn("integer"), null),
                new Column("m", "mood[]", ValueKind.ARRAY, ValueKind.ENUM, -1, true, List.of("a"))
                    .withSource(new SourceType("\"odd schema\".\"mood\"[][]", List.of(mood)), null),
                Column.of("c", "citext", ValueKind.TEXT)
                    .withSource(new SourceType("\"public\".\"citext\"", List.of(citext)), null),
                Column.of("g", "integer", ValueKind.INT32)
                    .withSource(SourceType.builtIn("integer"), new Generated("(id * 2)", false)),
                Column.of("legacy", "text", ValueKind.TEXT).withDefaultText("x")),
            ReplicaIdentity.DEFAULT);
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    EntryCodec.writeSchema(typed, bytes);

    TableSchema read = EntryCodec.readSchema(bytes);

    assertThat(read).isEqualTo(typed);
    assertThat(read.columns().get(1).sourceType().definitions()).containsExactly(mood);
    assertThat(read.columns().get(3).generated()).isEqualTo(new Generated("(id * 2)", false));
    assertThat(read.columns().get(4).sourceType()).isNull();
    assertThat(read.columns().get(4).defaultText()).isEqualTo("x");
    bytes.releaseLast();
  }

  @Test
  void schemasSurviveTheRoundTrip() {
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    EntryCodec.writeSchema(EVERYTHING, bytes);

    assertThat(EntryCodec.readSchema(bytes)).isEqualTo(EVERYTHING);
    bytes.releaseLast();
  }

  @Test
  void theHeaderIsReadWithoutTheRows() {
    ChangeEvent event =
        new ChangeEvent(
            1,
            EVERYTHING,
            Op.DELETE,
            new Object[12],
            null,
            9,
            new SourcePosition(2, 5, 6, 1),
            77,
            8,
            ChangeEvent.LAST_IN_TRANSACTION);
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    EntryCodec.writeChange(event, bytes);

    EntryCodec.Header header = EntryCodec.readHeader(bytes);

    assertThat(header)
        .isEqualTo(
            new EntryCodec.Header(
                new SourcePosition(2, 5, 6, 1), 77, 8, ChangeEvent.LAST_IN_TRANSACTION));
    bytes.releaseLast();
  }

  @Test
  void anEventIsSmallerThanItsColumnNames() {
    Object[] row = {
      (short) 1, 2, 3L, 1f, 2d, true, "x", new byte[] {1}, List.of(1), "ok", "y", null
    };
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
    EntryCodec.writeChange(
        new ChangeEvent(
            1,
            EVERYTHING,
            Op.INSERT,
            null,
            row,
            9,
            new SourcePosition(1, 0x16B374D848L, 0x16B374D900L, 0),
            0,
            1_795_315_492_946_072L,
            0),
        bytes);

    assertThat(bytes.readRemaining()).isLessThan(75);
    bytes.releaseLast();
  }
}
