package dev.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeJsonTest {
  private static final TableSchema SCHEMA =
      new TableSchema(
          1,
          new TableName("public", "Order Items"),
          List.of(
              Column.of("id", "integer", ValueKind.INT32).asKey(0),
              Column.of("price", "numeric", ValueKind.DECIMAL),
              Column.of("ratio", "double precision", ValueKind.FLOAT64),
              Column.of("day", "date", ValueKind.DATE),
              Column.of("at", "timestamp with time zone", ValueKind.TIMESTAMPTZ),
              Column.of("blob", "bytea", ValueKind.BYTES),
              new Column("tags", "text[]", ValueKind.ARRAY, ValueKind.TEXT, -1, true, List.of()),
              Column.of("body", "text", ValueKind.TEXT)),
          ReplicaIdentity.DEFAULT);

  @Test
  void anUpdateListsUnchangedToastedColumnsInsteadOfValues() {
    ChangeEvent event =
        new ChangeEvent(
            JournalPosition.parse("20779:42"),
            SCHEMA,
            Op.UPDATE,
            null,
            new Object[] {
              7,
              "NaN",
              Double.NEGATIVE_INFINITY,
              20_412,
              1_763_634_600_123_456L,
              new byte[] {10, (byte) 255},
              List.of("a", "b"),
              Unavailable.UNCHANGED_TOAST
            },
            743,
            new SourcePosition(1, 0, 0x1510F00L, 0),
            0x1511000L,
            1_795_315_492_946_072L,
            ChangeEvent.LAST_IN_TRANSACTION);

    assertThat(ChangeJson.toJson(event))
        .isEqualTo(
            "{\"position\":\"20779:42\",\"op\":\"update\",\"table\":\"public.\\\"Order Items\\\"\",\"key\":{\"id\":7},"
                + "\"before\":null,\"after\":{\"id\":7,\"price\":\"NaN\",\"ratio\":\"-Infinity\",\"day\":\"2025-11-20\","
                + "\"at\":\"2025-11-20T10:30:00.123456Z\",\"blob\":\"\\\\x0aff\",\"tags\":[\"a\",\"b\"]},"
                + "\"txId\":743,\"lsn\":\"0/1510F00\",\"commitLsn\":\"0/1511000\",\"commitTime\":\"2026-11-22T02:44:52.946072Z\","
                + "\"last\":true,\"unchanged\":[\"body\"]}");
  }

  @Test
  void aDeleteUnderDefaultIdentityShowsOnlyItsKeyAndMarksAKeyChange() {
    Object[] before = {
      7,
      Unavailable.ABSENT,
      Unavailable.ABSENT,
      Unavailable.ABSENT,
      Unavailable.ABSENT,
      Unavailable.ABSENT,
      Unavailable.ABSENT,
      Unavailable.ABSENT
    };
    ChangeEvent event =
        new ChangeEvent(
            1,
            SCHEMA,
            Op.DELETE,
            before,
            null,
            1,
            new SourcePosition(1, 0, 16, 0),
            0,
            0,
            ChangeEvent.KEY_CHANGE_OLD);

    assertThat(ChangeJson.toJson(event))
        .contains("\"key\":{\"id\":7},\"before\":{\"id\":7},\"after\":null")
        .contains("\"keyChange\":\"old\"")
        .doesNotContain("commitLsn");
  }

  @Test
  void markersNameTheirKindAndTables() {
    Marker marker =
        new Marker(
            2, Marker.Kind.SNAPSHOT_STARTED, 0, List.of(new TableName("public", "a")), "initial");

    assertThat(ChangeJson.toJson(marker))
        .isEqualTo(
            "{\"position\":\"0:2\",\"marker\":\"snapshot.started\",\"time\":\"1970-01-01T00:00:00Z\",\"tables\":[\"public.a\"],\"detail\":\"initial\"}");
  }

  @Test
  void arraysAreNestedJsonArraysOfTheirElementsAndKeepTheirBoundsAsPostgresText() {
    TableSchema arrays =
        new TableSchema(
            2,
            new TableName("public", "arrays"),
            List.of(
                Column.of("id", "integer", ValueKind.INT32).asKey(0),
                new Column("m", "integer[]", ValueKind.ARRAY, ValueKind.INT32, -1, true, List.of()),
                new Column(
                    "f",
                    "double precision[]",
                    ValueKind.ARRAY,
                    ValueKind.FLOAT64,
                    -1,
                    true,
                    List.of()),
                new Column(
                    "t",
                    "timestamp with time zone[]",
                    ValueKind.ARRAY,
                    ValueKind.TIMESTAMPTZ,
                    -1,
                    true,
                    List.of()),
                new Column(
                    "b", "integer[]", ValueKind.ARRAY, ValueKind.INT32, -1, true, List.of())),
            ReplicaIdentity.DEFAULT);
    ChangeEvent event =
        new ChangeEvent(
            1,
            arrays,
            Op.INSERT,
            null,
            new Object[] {
              1,
              "{{1,2},{3,NULL}}",
              "{NaN,-0,1.5}",
              "{\"2026-01-01 10:00:00+02\",-infinity}",
              "[0:1]={7,8}"
            },
            1,
            new SourcePosition(1, 0, 1, 0),
            0,
            0,
            0);

    assertThat(ChangeJson.toJson(event))
        .contains(
            "\"after\":{\"id\":1,\"m\":[[1,2],[3,null]],\"f\":[\"NaN\",-0.0,1.5],"
                + "\"t\":[\"2026-01-01T08:00:00Z\",\"-infinity\"],\"b\":\"[0:1]={7,8}\"}");
  }
}
