package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Table shapes that changes must not be lost in, into every dialect at once (one capture, a rule
 * per target): partitioned tables (rows in every partition, rows moving between partitions,
 * partitions attached and detached while running), generated columns, and primary-key updates that
 * leave a TOASTed value unchanged.
 */
class TableShapesIT {
  @RegisterExtension static final PostgresExtension CLUSTER = new PostgresExtension("shapes");

  private static final List<String> DIALECTS =
      List.of("postgresql", "mariadb", "sqlite", "mongodb");

  /** A pipeline with a rule per dialect, rules named after their dialect. */
  private record Setup(Pipeline pipeline, Map<String, TestTarget> targets)
      implements AutoCloseable {
    static Setup start(String tables, String... sql) throws Exception {
      Map<String, TestTarget> targets = new LinkedHashMap<>();
      targets.put("postgresql", new TestTarget.Postgres(CLUSTER.cluster()));
      targets.put("mariadb", new TestTarget.MariaDb());
      targets.put("sqlite", new TestTarget.Sqlite());
      targets.put("mongodb", new TestTarget.Mongo());
      Pipeline p = new Pipeline(CLUSTER.cluster());
      StringBuilder yamlTargets = new StringBuilder();
      StringBuilder yamlRules = new StringBuilder();
      targets.forEach(
          (name, target) -> {
            yamlTargets.append(name).append(": ").append(target.yaml()).append(", ");
            yamlRules
                .append("{ name: ")
                .append(name)
                .append(", target: ")
                .append(name)
                .append(" }, ");
          });
      p.configure(
          """
          source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s, tables: [%s, flush_mark] }
          journal: { dir: "${DIR}/journal" }
          targets: { %s }
          rules: [ %s ]
          """
              .formatted(tables, yamlTargets, yamlRules));
      p.sql(sql);
      p.start();
      return new Setup(p, targets);
    }

    void flush() throws InterruptedException {
      pipeline.flush(id -> targets.values().stream().allMatch(t -> t.has("flush_mark", id)));
    }

    /** The rows of a table on every target, as "id: values" lines sorted by id. */
    Map<String, List<String>> rows(String table, String... columns) {
      Map<String, List<String>> rows = new LinkedHashMap<>();
      targets.forEach(
          (name, target) -> {
            List<String> lines = new ArrayList<>();
            for (Map<String, Object> row : target.rowsOf(table)) {
              StringBuilder line = new StringBuilder().append(((Number) row.get("id")).intValue());
              line.append(':');
              for (String column : columns) {
                line.append(' ').append(row.get(column));
              }
              lines.add(line.toString());
            }
            lines.sort(
                java.util.Comparator.comparingInt(
                    l -> Integer.parseInt(l.substring(0, l.indexOf(':')))));
            rows.put(name, lines);
          });
      return rows;
    }

    @Override
    public void close() throws Exception {
      try {
        pipeline.close();
      } finally {
        for (TestTarget target : targets.values()) {
          target.close();
        }
      }
    }
  }

  @Test
  void aPartitionedTableLosesNoChangeWhereverItsRowsAre() throws Exception {
    try (Setup s =
        Setup.start(
            "orders",
            "CREATE TABLE orders (id int, region text, note text, PRIMARY KEY (id, region))"
                + " PARTITION BY LIST (region)",
            "CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu')",
            "CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us')",
            "CREATE TABLE orders_rest PARTITION OF orders DEFAULT",
            "INSERT INTO orders VALUES (1, 'eu', 'snapshot'), (2, 'us', 'snapshot'), (3, 'xx', 'snapshot')")) {
      Pipeline p = s.pipeline();
      s.flush(); // the snapshot is read: a partition detached while it is read leaves with its rows
      p.sql(
          "INSERT INTO orders VALUES (4, 'eu', 'streamed'), (5, 'us', 'streamed'), (6, 'yy', 'streamed')",
          "UPDATE orders SET note = 'updated' WHERE id IN (1, 5)",
          "DELETE FROM orders WHERE id = 2",
          // a partition attached while running, empty: its rows are published through the root
          "CREATE TABLE orders_asia (id int, region text, note text, PRIMARY KEY (id, region))",
          "ALTER TABLE orders ATTACH PARTITION orders_asia FOR VALUES IN ('asia')",
          "INSERT INTO orders VALUES (7, 'asia', 'attached')",
          // a row moving to another partition: its key changes, and it leaves one partition
          "UPDATE orders SET region = 'us', note = 'moved' WHERE id = 4",
          // a partition detached while running: its table is no longer part of orders, and
          // PostgreSQL writes no change for the rows that leave with it
          "ALTER TABLE orders DETACH PARTITION orders_rest",
          "INSERT INTO orders_rest VALUES (8, 'zz', 'detached')",
          "UPDATE orders_rest SET note = 'changed after detach' WHERE id = 3");
      s.flush();

      List<String> expected =
          List.of(
              "1: updated eu",
              "3: snapshot xx",
              "4: moved us",
              "5: updated us",
              "6: streamed yy",
              "7: attached asia");
      assertThat(s.rows("orders", "note", "region"))
          .allSatisfy((dialect, rows) -> assertThat(rows).as(dialect).isEqualTo(expected));
    }
  }

  @Test
  void generatedColumnsAreGeneratedOnPostgresAndLeftOutWhereTheSourceDoesNotPublishThem()
      throws Exception {
    try (Setup s =
        Setup.start(
            "items",
            "CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2), qty int,"
                + " total numeric GENERATED ALWAYS AS (price * qty) STORED)",
            "INSERT INTO items (id, price, qty) VALUES (1, 2.50, 4)")) {
      s.flush();
      s.pipeline()
          .sql(
              "INSERT INTO items (id, price, qty) VALUES (2, 1.25, 2)",
              "UPDATE items SET qty = 10 WHERE id = 1");
      s.flush();

      TestTarget.Postgres postgres = (TestTarget.Postgres) s.targets().get("postgresql");
      assertThat(
              CLUSTER
                  .cluster()
                  .queryIn(
                      postgres.database,
                      "SELECT attgenerated::text, pg_get_expr(adbin, adrelid) FROM pg_attribute"
                          + " JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum"
                          + " WHERE attrelid = 'public.items'::regclass AND attname = 'total'"))
          .as("the same generated column")
          .containsExactly(List.of("s", "(price * (qty)::numeric)"));
      assertThat(s.rows("items", "total").get("postgresql")).containsExactly("1: 25.00", "2: 2.50");
      for (String other : List.of("mariadb", "sqlite", "mongodb")) {
        assertThat(s.targets().get(other).rowsOf("items"))
            .as("PostgreSQL before 18 does not publish the column's values: left out on %s", other)
            .hasSize(2)
            .allSatisfy(row -> assertThat(row).doesNotContainKey("total"));
      }
    }
  }

  @Test
  void aKeyUpdateThatLeavesAToastedValueUnchangedMovesTheWholeRow() throws Exception {
    String big = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i)";
    try (Setup s =
        Setup.start(
            "docs, bodies",
            "CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
            "CREATE TABLE bodies (id int PRIMARY KEY, body text)",
            "INSERT INTO docs VALUES (1, 'first', " + big + "), (2, 'second', " + big + ")",
            "INSERT INTO bodies VALUES (1, " + big + ")")) {
      s.flush();
      s.pipeline()
          .sql(
              "UPDATE docs SET id = 10 WHERE id = 1",
              "UPDATE docs SET id = 20, title = 'renamed' WHERE id = 10",
              // a swap through a free key, in one transaction
              "BEGIN; UPDATE docs SET id = 99 WHERE id = 2; UPDATE docs SET id = 2 WHERE id = 20;"
                  + " UPDATE docs SET id = 20 WHERE id = 99; COMMIT",
              // every column but the key is the unchanged TOASTed one
              "UPDATE bodies SET id = 5 WHERE id = 1");
      s.flush();

      int moved = 0;
      try (var reader = s.pipeline().journal.reader()) {
        for (var entry = reader.next(); entry != null; entry = reader.next()) {
          if (entry instanceof dev.sluice.journal.ChangeEvent change
              && change.has(dev.sluice.journal.ChangeEvent.KEY_CHANGE_NEW)
              && java.util.Arrays.asList(change.after())
                  .contains(dev.sluice.journal.Unavailable.UNCHANGED_TOAST)) {
            moved++;
          }
        }
      }
      assertThat(moved)
          .as("key changes whose new row lacks the unchanged TOASTed value")
          .isEqualTo(6);
      for (String dialect : DIALECTS) {
        Map<String, List<String>> rows = s.rows("docs", "title");
        assertThat(rows.get(dialect)).as(dialect).containsExactly("2: renamed", "20: second");
        assertThat(s.targets().get(dialect).rowsOf("docs"))
            .as(dialect)
            .allSatisfy(row -> assertThat(String.valueOf(row.get("body"))).hasSize(400 * 32));
        assertThat(s.rows("bodies", "body").get(dialect))
            .as(dialect)
            .singleElement()
            .satisfies(line -> assertThat(line).startsWith("5: ").hasSize(3 + 400 * 32));
      }
    }
  }
}
