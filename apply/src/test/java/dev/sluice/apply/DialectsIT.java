package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.config.TableName;
import dev.sluice.testkit.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same scenarios into every kind of target: PostgreSQL, MariaDB, SQLite, MongoDB. */
class DialectsIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("dialects-source");

  @RegisterExtension
  static final PostgresExtension PG_TARGET = new PostgresExtension("dialects-target");

  static Stream<String> dialects() {
    return Stream.of("postgresql", "mariadb", "sqlite", "mongodb");
  }

  private static TestTarget target(String dialect) throws Exception {
    return switch (dialect) {
      case "postgresql" -> new TestTarget.Postgres(PG_TARGET.cluster());
      case "mariadb" -> new TestTarget.MariaDb();
      case "sqlite" -> new TestTarget.Sqlite();
      default -> new TestTarget.Mongo();
    };
  }

  private static Pipeline pipeline(TestTarget target, String rule) throws Exception {
    Pipeline p = new Pipeline(SOURCE.cluster());
    p.configure(
        """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets:
          t: %s
        rules:
          - %s
        """
            .formatted(target.yaml(), rule));
    return p;
  }

  /** id, note, body length and qty of each order, whatever the target. */
  private static List<List<Object>> orders(TestTarget target) {
    List<List<Object>> rows = new ArrayList<>();
    for (Map<String, Object> row : target.rowsOf("orders")) {
      rows.add(
          List.of(
              ((Number) row.get("id")).intValue(),
              row.get("note"),
              row.get("body").toString().length(),
              ((Number) row.get("qty")).intValue()));
    }
    return rows;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void everyOperationArrives(String dialect) throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = pipeline(target, "{ name: r, target: t }")) {
      p.sql(
          "CREATE TABLE orders(id int PRIMARY KEY, note text, body text, qty int)",
          "ALTER TABLE orders ALTER body SET STORAGE EXTERNAL",
          "INSERT INTO orders VALUES (1, 'snap', repeat('b', 9000), 1)");
      p.start();
      p.sql(
          "INSERT INTO orders VALUES (2, 'two', repeat('c', 9000), 2), (3, 'three', 'short', 3)",
          "UPDATE orders SET note = 'one!' WHERE id = 1",
          "UPDATE orders SET id = 30 WHERE id = 3",
          "DELETE FROM orders WHERE id = 2");
      p.flush(id -> target.has("flush_mark", id));

      assertThat(orders(target))
          .containsExactly(List.of(1, "one!", 9000, 1), List.of(30, "three", 5, 3));

      p.sql("TRUNCATE orders");
      p.flush(id -> target.has("flush_mark", id));
      assertThat(target.rowsOf("orders")).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void compositeKeysAndNamesThatNeedQuotesReplicate(String dialect) throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = pipeline(target, "{ name: r, target: t }")) {
      p.sql(
          "CREATE TABLE \"Order Items\"(\"select\" int, \"it's \"\"x\"\"\" text, qty int, PRIMARY KEY (\"select\", \"it's \"\"x\"\"\"))");
      p.start();
      p.sql(
          "INSERT INTO \"Order Items\" VALUES (1, 'a', 10), (1, 'b', 20), (2, 'a', 30)",
          "UPDATE \"Order Items\" SET qty = 11 WHERE \"select\" = 1 AND \"it's \"\"x\"\"\" = 'a'",
          "DELETE FROM \"Order Items\" WHERE \"select\" = 2");
      p.flush(id -> target.has("flush_mark", id));

      List<Map<String, Object>> rows = target.rowsOf("Order Items");
      assertThat(rows).hasSize(2);
      assertThat(rows)
          .extracting(r -> ((Number) r.get("qty")).intValue())
          .containsExactlyInAnyOrder(11, 20);
      assertThat(rows).allSatisfy(r -> assertThat(r).containsKeys("select", "it's \"x\""));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void uuidTextAndEnumKeysReplicateThroughInsertsUpdatesKeyChangesAndDeletes(String dialect)
      throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = pipeline(target, "{ name: r, target: t }")) {
      p.sql(
          "CREATE TYPE size AS ENUM ('small', 'medium', 'large')",
          "CREATE TABLE by_uuid(id uuid PRIMARY KEY, v int)",
          "CREATE TABLE by_text(code text PRIMARY KEY, v int)",
          "CREATE TABLE by_enum(s size PRIMARY KEY, v int)",
          "INSERT INTO by_uuid VALUES ('00000000-0000-0000-0000-000000000001', 1)",
          "INSERT INTO by_text VALUES ('snap', 1)",
          "INSERT INTO by_enum VALUES ('small', 1)");
      p.start();
      p.sql(
          "INSERT INTO by_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 2),"
              + " ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 3)",
          "UPDATE by_uuid SET v = 20 WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
          "UPDATE by_uuid SET id = 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13'"
              + " WHERE id = 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'",
          "DELETE FROM by_uuid WHERE id = '00000000-0000-0000-0000-000000000001'",
          "INSERT INTO by_text VALUES ('A', 2), ('a', 3), ('with ''quote'' and ünïcode ✓', 4),"
              + " ('trailing ', 5)",
          "UPDATE by_text SET v = 30 WHERE code = 'a'",
          "UPDATE by_text SET code = 'b' WHERE code = 'A'",
          "DELETE FROM by_text WHERE code = 'snap'",
          "INSERT INTO by_enum VALUES ('medium', 2), ('large', 3)",
          "UPDATE by_enum SET v = 20 WHERE s = 'medium'",
          "DELETE FROM by_enum WHERE s = 'small'");
      p.flush(id -> target.has("flush_mark", id));

      assertThat(target.rowsOf("by_uuid"))
          .extracting(r -> String.valueOf(r.get("id")), r -> ((Number) r.get("v")).intValue())
          .containsExactlyInAnyOrder(
              tuple("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", 20),
              tuple("c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13", 3));
      assertThat(target.rowsOf("by_text"))
          .extracting(r -> String.valueOf(r.get("code")), r -> ((Number) r.get("v")).intValue())
          .containsExactlyInAnyOrder(
              tuple("a", 30),
              tuple("b", 2),
              tuple("with 'quote' and ünïcode ✓", 4),
              tuple("trailing ", 5));
      assertThat(target.rowsOf("by_enum"))
          .extracting(r -> String.valueOf(r.get("s")), r -> ((Number) r.get("v")).intValue())
          .containsExactlyInAnyOrder(tuple("medium", 20), tuple("large", 3));
      for (String table : List.of("public.by_uuid", "public.by_text", "public.by_enum")) {
        Verifier.Report report =
            Verifier.verify(
                p.config,
                "r",
                Optional.of(table),
                Duration.ofSeconds(60),
                new Verifier.Progress() {
                  @Override
                  public void table(TableName name, long estimatedRows) {}

                  @Override
                  public void rows(long compared) {}
                });
        assertThat(report.equal()).as("%s", report).isTrue();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void reapplyingFromTheStartChangesNothing(String dialect) throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = pipeline(target, "{ name: r, target: t, batch: { maxEvents: 40 } }")) {
      p.sql("CREATE TABLE orders(id int PRIMARY KEY, note text, body text, qty int)");
      p.start();
      p.sql(
          "INSERT INTO orders SELECT g, 'n' || g, 'b', g FROM generate_series(1, 300) g",
          "UPDATE orders SET qty = qty * 2 WHERE id % 3 = 0",
          "DELETE FROM orders WHERE id % 7 = 0");
      p.flush(id -> target.has("flush_mark", id));
      List<List<Object>> before = orders(target);
      p.stopRules();
      target.forgetCheckpoints();

      p.startRules();
      p.flush(id -> target.has("flush_mark", id));

      assertThat(orders(target)).isEqualTo(before).hasSize(300 - 42);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dialects")
  void aMirrorRemovesRowsTheSourceDoesNotHave(String dialect) throws Exception {
    try (TestTarget target = target(dialect);
        Pipeline p = pipeline(target, "{ name: r, target: t, mode: mirror }")) {
      p.sql(
          "CREATE TABLE orders(id int PRIMARY KEY, note text, body text, qty int)",
          "INSERT INTO orders VALUES (1, 'a', 'b', 1)");
      p.start();
      p.flush(id -> target.has("flush_mark", id));
      p.stopRules();
      target.insert("orders", Map.of("id", 99, "note", "extra", "body", "x", "qty", 9));
      target.forgetCheckpoints();

      p.startRules();
      p.flush(id -> target.has("flush_mark", id));

      assertThat(orders(target)).containsExactly(List.of(1, "a", 1, 1));
    }
  }
}
