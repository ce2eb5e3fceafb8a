package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import dev.sluice.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema changes on the source while changes stream: ADD COLUMN (with and without a default), DROP
 * COLUMN, widening ALTER TYPE (int to bigint, varchar(10) to varchar(50)). Rows written before,
 * between and after the changes arrive in every dialect (MongoDB included), and the target keeps
 * every value a wider column brings.
 */
class SchemaChangesIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("schema-changes");

  static Stream<String> dialects() {
    return Stream.of("postgresql", "mariadb", "sqlite", "mongodb");
  }

  private static TestTarget target(String dialect) throws Exception {
    return switch (dialect) {
      case "postgresql" -> new TestTarget.Postgres(SOURCE.cluster());
      case "mariadb" -> new TestTarget.MariaDb();
      case "mongodb" -> new TestTarget.Mongo();
      default -> new TestTarget.Sqlite();
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void columnsAddedDroppedAndWidenedMidStreamArriveInTheTarget(String dialect) throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.configure(
          """
          source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
          journal: { dir: "${DIR}/journal" }
          targets:
            t: %s
          rules:
            - { name: r, target: t }
          """
              .formatted(target.yaml()));
      p.sql(
          "CREATE TABLE items(id int PRIMARY KEY, qty int NOT NULL, code varchar(10), gone text)",
          "INSERT INTO items VALUES (1, 1, 'a', 'x'), (2, 2, 'b', 'y')");
      p.start();
      p.sql("INSERT INTO items VALUES (3, 3, 'c', 'z')");
      p.flush(id -> target.has("flush_mark", id));

      p.sql(
          "ALTER TABLE items ADD COLUMN note text",
          "INSERT INTO items (id, qty, code, gone, note) VALUES (4, 4, 'd', 'w', 'noted')",
          "UPDATE items SET note = 'later' WHERE id = 1");
      p.sql(
          "ALTER TABLE items ADD COLUMN status text NOT NULL DEFAULT 'new'",
          "INSERT INTO items (id, qty, code, gone) VALUES (5, 5, 'e', 'v')",
          "UPDATE items SET status = 'old' WHERE id = 2");
      p.flush(id -> target.has("flush_mark", id));
      p.sql(
          "ALTER TABLE items DROP COLUMN gone",
          "INSERT INTO items (id, qty, code) VALUES (6, 6, 'f')",
          "UPDATE items SET qty = 30 WHERE id = 3");
      p.sql(
          "ALTER TABLE items ALTER COLUMN qty TYPE bigint",
          "ALTER TABLE items ALTER COLUMN code TYPE varchar(50)",
          "INSERT INTO items (id, qty, code) VALUES (7, 9000000000, 'a code of forty characters, give or take')",
          "UPDATE items SET qty = 8000000000, code = 'another rather long code' WHERE id = 1");
      p.flush(id -> target.has("flush_mark", id));

      Map<Object, Map<String, Object>> rows = byId(target.rowsOf("items"));
      assertThat(rows.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(rows.get(7L).get("qty").toString()).isEqualTo("9000000000");
      assertThat(rows.get(7L).get("code")).isEqualTo("a code of forty characters, give or take");
      assertThat(rows.get(1L).get("qty").toString()).isEqualTo("8000000000");
      assertThat(rows.get(1L).get("note")).isEqualTo("later");
      assertThat(rows.get(4L).get("note")).isEqualTo("noted");
      assertThat(rows.get(2L).get("status")).isEqualTo("old");
      assertThat(rows.get(5L).get("status")).isEqualTo("new");
      assertThat(rows.get(3L).get("qty").toString()).isEqualTo("30");

      Verifier.Report report =
          Verifier.verify(
              p.config,
              "r",
              Optional.of("public.items"),
              Duration.ofSeconds(60),
              new Verifier.Progress() {
                @Override
                public void table(TableName table, long estimatedRows) {}

                @Override
                public void rows(long compared) {}
              });
      assertThat(report.equal()).as("%s", report).isTrue();
    }
  }

  private static Map<Object, Map<String, Object>> byId(List<Map<String, Object>> rows) {
    Map<Object, Map<String, Object>> byId = new java.util.TreeMap<>();
    for (Map<String, Object> row : rows) {
      byId.put(((Number) row.get("id")).longValue(), row);
    }
    return byId;
  }
}
