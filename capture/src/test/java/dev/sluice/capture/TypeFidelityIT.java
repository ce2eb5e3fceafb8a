package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SnapshotMode;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Op;
import dev.sluice.journal.PgText;
import dev.sluice.journal.TypeDefinition;
import dev.sluice.journal.ValueKind;
import dev.sluice.testkit.PostgresExtension;
import dev.sluice.testkit.TypeMatrix;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every type of the matrix, through a snapshot, streamed inserts, updates and deletes, arrives in
 * the journal as exactly the value PostgreSQL holds: each journaled value printed back in
 * PostgreSQL's text form is the text PostgreSQL prints for the row, and each column carries the
 * source's exact type. Capture never stops on a value.
 */
class TypeFidelityIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("types-source");

  private static CaptureFixture fixture;
  private static List<ChangeEvent> changes;

  @BeforeAll
  static void captureTheMatrix() throws Exception {
    fixture = new CaptureFixture(SOURCE.cluster());
    CaptureFixture f = fixture;
    f.sql(TypeMatrix.SETUP.toArray(new String[0]));
    f.sql(TypeMatrix.createTables().toArray(new String[0]));
    f.sql("CREATE INDEX m_text_trgm ON m_text USING gin (v gin_trgm_ops)");
    f.sql("CREATE TABLE zz_done(id int PRIMARY KEY)");
    f.sql(TypeMatrix.inserts(1, true).toArray(new String[0]));
    f.start(f.source(SnapshotMode.INITIAL, "m_*", "zz_done"));
    f.sql(TypeMatrix.inserts(1001, false).toArray(new String[0]));
    f.sql(TypeMatrix.rotations(1001).toArray(new String[0]));
    f.sql(TypeMatrix.rotations(1).toArray(new String[0]));
    for (TypeMatrix.Type type : TypeMatrix.types()) {
      f.sql("DELETE FROM " + type.table() + " WHERE id = 1001");
    }
    f.sql("INSERT INTO zz_done VALUES (1)");
    changes =
        f.awaitChanges(list -> list.stream().anyMatch(c -> c.table().name().equals("zz_done")));
  }

  @AfterAll
  static void close() throws Exception {
    fixture.close();
  }

  @Test
  void everyValueIsJournaledAsExactlyWhatPostgresHolds() throws Exception {
    List<String> differences = new ArrayList<>();
    try (Connection connection = SOURCE.cluster().connect(fixture.database);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "SET DateStyle = ISO; SET IntervalStyle = iso_8601; SET extra_float_digits = 3;"
              + " SET TimeZone = '"
              + java.util.TimeZone.getDefault().getID()
              + "'");
      for (TypeMatrix.Type type : TypeMatrix.types()) {
        Map<Integer, Object[]> journaled = latestRows(type.table());
        Map<Integer, String> source = new LinkedHashMap<>();
        String query;
        try (ResultSet rs = statement.executeQuery(TypeMatrix.textQuery(type.table()))) {
          rs.next();
          query = rs.getString(1);
        }
        try (ResultSet rs = statement.executeQuery(query)) {
          while (rs.next()) {
            source.put(rs.getInt(1), rs.getString(2));
          }
        }
        assertThat(journaled.keySet())
            .as("the keys of %s", type.table())
            .containsExactlyInAnyOrderElementsOf(source.keySet());
        Column column = columnOf(type.table());
        for (Map.Entry<Integer, String> row : source.entrySet()) {
          Object value = journaled.get(row.getKey())[1];
          if (!same(row.getValue(), value, column)) {
            differences.add(
                type.table()
                    + " id "
                    + row.getKey()
                    + ": source "
                    + row.getValue()
                    + ", journal "
                    + (value == null ? null : PgText.format(value, column)));
          }
        }
      }
    }
    assertThat(differences).isEmpty();
  }

  @Test
  void everyStreamedInsertUpdateAndDeleteIsJournaled() {
    for (TypeMatrix.Type type : TypeMatrix.types()) {
      List<ChangeEvent> ofTable =
          changes.stream().filter(c -> c.table().name().equals(type.table())).toList();
      int rows = type.values().size() + 1;
      assertThat(ofTable.stream().filter(c -> c.op() == Op.READ))
          .as("snapshot rows of %s", type.table())
          .hasSize(rows + type.snapshotOnly().size());
      assertThat(ofTable.stream().filter(c -> c.op() == Op.INSERT)).hasSize(rows);
      assertThat(ofTable.stream().filter(c -> c.op() == Op.UPDATE)).hasSize(2 * rows);
      assertThat(ofTable.stream().filter(c -> c.op() == Op.DELETE)).hasSize(1);
    }
  }

  @Test
  void theMatrixCoversEveryColumnTypeOfTheCatalog() {
    Set<String> covered = new TreeSet<>();
    for (TypeMatrix.Type type : TypeMatrix.types()) {
      covered.add(
          SOURCE
              .cluster()
              .queryIn(
                  fixture.database,
                  "SELECT t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                      + " WHERE a.attrelid = '"
                      + type.table()
                      + "'::regclass AND a.attname = 'v'")
              .get(0)
              .get(0)
              .toString());
    }
    Set<String> catalog = new TreeSet<>();
    for (List<Object> row : SOURCE.cluster().queryIn(fixture.database, TypeMatrix.CATALOG_TYPES)) {
      catalog.add(row.get(0).toString());
    }
    catalog.removeAll(TypeMatrix.NOT_COLUMN_TYPES);
    assertThat(covered).containsAll(catalog);
  }

  @Test
  void columnsCarryTheSourcesExactTypesAndHowToCreateThem() {
    assertThat(columnOf("m_numeric_10_3").sourceType().expression()).isEqualTo("numeric(10,3)");
    assertThat(columnOf("m_domain").sourceType().expression())
        .isEqualTo("\"public\".\"positive_amount\"");
    assertThat(columnOf("m_domain").pgType()).as("the base type").isEqualTo("numeric(12,2)");
    assertThat(columnOf("m_domain").sourceType().definitions())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.definition())
                    .isEqualTo(
                        "CREATE DOMAIN \"public\".\"positive_amount\" AS numeric(12,2)"
                            + " CONSTRAINT \"positive\" CHECK ((VALUE > (0)::numeric))"));
    assertThat(columnOf("m_int_array_2d").sourceType().expression()).isEqualTo("integer[][]");
    assertThat(columnOf("m_enum_array").sourceType().expression())
        .isEqualTo("\"public\".\"mood\"[]");
    assertThat(columnOf("m_enum_array").elementKind()).isEqualTo(ValueKind.ENUM);
    assertThat(columnOf("m_citext").sourceType().definitions())
        .containsExactly(
            new TypeDefinition("public", "citext", TypeDefinition.Kind.EXTENSION, "citext", null));
    assertThat(
            columnOf("m_composite_nested").sourceType().definitions().stream()
                .map(TypeDefinition::name))
        .as("each type after those it needs")
        .containsExactly("mood", "complex", "positive_amount", "Odd Type");
    assertThat(columnOf("m_user_multirange").sourceType().definitions())
        .extracting(TypeDefinition::kind)
        .containsOnly(TypeDefinition.Kind.RANGE);
    assertThat(columnOf("m_time").kind()).isEqualTo(ValueKind.TIME);
    assertThat(columnOf("m_point").kind()).isEqualTo(ValueKind.OTHER);
  }

  /** Whether a journaled value is the source's text (floats by bits, timestamptz by instant). */
  private static boolean same(String sourceText, Object value, Column column) {
    if (sourceText == null || value == null) {
      return sourceText == null && value == null;
    }
    return switch (column.kind()) {
      case FLOAT32 ->
          Float.floatToRawIntBits(Float.parseFloat(sourceText))
              == Float.floatToRawIntBits((Float) value);
      case FLOAT64 ->
          Double.doubleToRawLongBits(Double.parseDouble(sourceText))
              == Double.doubleToRawLongBits((Double) value);
      case TIMESTAMPTZ ->
          PgText.parseTimestamp(sourceText) == PgText.parseTimestamp(PgText.format(value, column));
      case BOOLEAN -> sourceText.equals((Boolean) value ? "t" : "f");
      default -> sourceText.equals(PgText.format(value, column));
    };
  }

  /** The last row version of each key of a table (deleted keys absent): id and value. */
  private static Map<Integer, Object[]> latestRows(String table) {
    Map<Integer, Object[]> rows = new HashMap<>();
    for (ChangeEvent change : changes) {
      if (!change.table().name().equals(table)) {
        continue;
      }
      if (change.op() == Op.DELETE) {
        rows.remove((Integer) change.before()[0]);
      } else {
        rows.put((Integer) change.after()[0], change.after());
      }
    }
    return rows;
  }

  private static Column columnOf(String table) {
    ChangeEvent last = null;
    for (ChangeEvent change : changes) {
      if (change.table().name().equals(table)) {
        last = change;
      }
    }
    return last.schema().columns().get(last.schema().indexOf("v"));
  }
}
