package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rules into a PostgreSQL target, end to end: real source, capture, journal and target. */
class PostgresTargetIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("apply-source");
  @RegisterExtension static final PostgresExtension TARGET = new PostgresExtension("apply-target");

  private static int databases;

  private static String targetDatabase() {
    String name = "t" + (++databases);
    TARGET.cluster().execute("CREATE DATABASE " + name);
    return name;
  }

  private static String yaml(String db, String rule) {
    return """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", snapshot: initial, heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets:
          pg: { url: "%s", user: postgres }
        rules:
          - %s
        """
        .formatted(TARGET.cluster().jdbcUrl(db), rule);
  }

  private static boolean targetHas(String db, String table, int id) {
    PostgresCluster t = TARGET.cluster();
    Object exists = t.queryIn(db, "SELECT to_regclass('" + table + "') IS NOT NULL").get(0).get(0);
    return Boolean.TRUE.equals(exists)
        && !t.queryIn(db, "SELECT 1 FROM " + table + " WHERE id = " + id).isEmpty();
  }

  @Test
  void everyOperationArrivesAndUnchangedToastedValuesAreLeftAlone() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TABLE orders(id int PRIMARY KEY, note text, body text, qty int)",
          "ALTER TABLE orders ALTER body SET STORAGE EXTERNAL",
          "INSERT INTO orders VALUES (1, 'snap', repeat('b', 9000), 1)");
      p.configure(yaml(db, "{ name: r, target: pg }")).start();
      p.sql(
          "INSERT INTO orders VALUES (2, 'two', repeat('c', 9000), 2), (3, 'three', 'short', 3)",
          "UPDATE orders SET note = 'one!' WHERE id = 1",
          "UPDATE orders SET id = 30 WHERE id = 3",
          "DELETE FROM orders WHERE id = 2");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(
              TARGET
                  .cluster()
                  .queryIn(db, "SELECT id, note, length(body), qty FROM orders ORDER BY id"))
          .containsExactly(List.of(1, "one!", 9000, 1), List.of(30, "three", 5, 3));
      assertThat(p.status("r").totals()).containsEntry("insert", 4L).containsEntry("read", 1L);

      p.sql("TRUNCATE orders");
      p.flush(id -> targetHas(db, "flush_mark", id));
      assertThat(TARGET.cluster().queryLong("SELECT 1")).isEqualTo(1);
      assertThat(TARGET.cluster().queryIn(db, "SELECT count(*) FROM orders").get(0).get(0))
          .isEqualTo(0L);
    }
  }

  @Test
  void theApplySessionDoesNotWaitForTheTargetsWalFlushUnlessItsUrlSaysSo() throws Exception {
    for (String options : List.of("", "?options=-c%20synchronous_commit%3Dremote_apply")) {
      String db = targetDatabase();
      TARGET
          .cluster()
          .executeIn(
              db,
              "CREATE TABLE \"Orders 'q'\"(id int PRIMARY KEY, note text)",
              "CREATE TABLE commit_modes(mode text)",
              "CREATE FUNCTION log_mode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                  + " INSERT INTO commit_modes VALUES (current_setting('synchronous_commit'));"
                  + " RETURN NEW; END $$",
              "CREATE TRIGGER log_mode AFTER INSERT ON \"Orders 'q'\" FOR EACH ROW"
                  + " EXECUTE FUNCTION log_mode()");
      try (Pipeline p = new Pipeline(SOURCE.cluster())) {
        p.sql("CREATE TABLE \"Orders 'q'\"(id int PRIMARY KEY, note text)");
        p.configure(
                yaml(db, "{ name: r, target: pg }")
                    .replace(TARGET.cluster().jdbcUrl(db), TARGET.cluster().jdbcUrl(db) + options))
            .start();
        p.sql("INSERT INTO \"Orders 'q'\" VALUES (1, NULL), (2, '\uD83D\uDE00')");
        p.flush(id -> targetHas(db, "flush_mark", id));

        assertThat(TARGET.cluster().queryIn(db, "SELECT mode FROM commit_modes"))
            .containsExactly(
                List.of(options.isEmpty() ? "off" : "remote_apply"),
                List.of(options.isEmpty() ? "off" : "remote_apply"));
        assertThat(TARGET.cluster().queryIn(db, "SELECT id, note FROM \"Orders 'q'\" ORDER BY id"))
            .containsExactly(Arrays.asList(1, null), List.of(2, "\uD83D\uDE00"));
      }
    }
  }

  @Test
  void enumLabelsThatContainTheDollarQuoteTagAreCreatedAsTheyAre() throws Exception {
    String db = targetDatabase();
    List<String> labels = List.of("$sluice$", "$sluice1$", "a$$b", "it's", "𝄞 end $sluice$ 1");
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TYPE tricky AS ENUM ('$sluice$', '$sluice1$', 'a$$b', 'it''s',"
              + " '𝄞 end $sluice$ 1')",
          "CREATE TABLE tagged(id int PRIMARY KEY, t tricky)",
          "INSERT INTO tagged VALUES (1, '$sluice$'), (2, '𝄞 end $sluice$ 1')");
      p.configure(yaml(db, "{ name: r, target: pg }")).start();
      p.sql("INSERT INTO tagged VALUES (3, 'a$$b')");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(
              TARGET.cluster().queryIn(db, "SELECT unnest(enum_range(NULL::tricky))::text").stream()
                  .map(row -> row.get(0))
                  .toList())
          .containsExactlyElementsOf(labels);
      assertThat(TARGET.cluster().queryIn(db, "SELECT id, t::text FROM tagged ORDER BY id"))
          .containsExactly(
              List.of(1, "$sluice$"), List.of(2, "𝄞 end $sluice$ 1"), List.of(3, "a$$b"));
    }
  }

  @Test
  void renameAndExcludedColumnsShapeTheTargetTable() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE SCHEMA shop",
          "CREATE TABLE shop.users(id int PRIMARY KEY, name text, password_hash text)");
      p.configure(
              yaml(
                  db,
                  "{ name: r, target: pg, rename: { shop.users: public.people }, excludeColumns: { shop.users: [password_hash] } }"))
          .start();
      p.sql("INSERT INTO shop.users VALUES (1, 'ann', 'secret')");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT * FROM public.people"))
          .containsExactly(List.of(1, "ann"));
    }
  }

  @Test
  void aColumnAddedOnTheSourceIsAddedOnTheTargetBeforeItsFirstValue() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TABLE items(id int PRIMARY KEY, label text)",
          "INSERT INTO items VALUES (1, 'a')");
      p.configure(yaml(db, "{ name: r, target: pg }")).start();
      p.flush(id -> targetHas(db, "flush_mark", id));
      p.sql(
          "ALTER TABLE items ADD COLUMN price numeric(10,2) DEFAULT 9.99",
          "INSERT INTO items VALUES (2, 'b', 12.50)",
          "ALTER TABLE items ALTER COLUMN label TYPE varchar(300)",
          "ALTER TABLE items DROP COLUMN label",
          "INSERT INTO items VALUES (3, 1.25)");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(
              TARGET.cluster().queryIn(db, "SELECT id, label, price::text FROM items ORDER BY id"))
          .containsExactly(
              java.util.Arrays.<Object>asList(1, "a", null),
              java.util.Arrays.<Object>asList(2, "b", "12.50"),
              java.util.Arrays.<Object>asList(3, null, "1.25"));
      assertThat(p.engine.rule("r").orElseThrow().notes())
          .anySatisfy(n -> assertThat(n).contains("column label of public.items was dropped"));
    }
  }

  @Test
  void newerWinsKeepsARowChangedLaterOnTheTarget() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql("CREATE TABLE prices(id int PRIMARY KEY, price int)");
      p.configure(yaml(db, "{ name: r, target: pg, conflict: newer-wins }")).start();
      p.sql("INSERT INTO prices VALUES (1, 10), (2, 20)");
      p.flush(id -> targetHas(db, "flush_mark", id));
      TARGET
          .cluster()
          .executeIn(
              db,
              "UPDATE prices SET price = 99, _sluice_commit_time = 9223372036854775000 WHERE id = 1");
      p.sql(
          "UPDATE prices SET price = 11 WHERE id = 1", "UPDATE prices SET price = 21 WHERE id = 2");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT id, price FROM prices ORDER BY id"))
          .containsExactly(List.of(1, 99), List.of(2, 21));
    }
  }

  @Test
  void newerWinsAppliesEveryChangeOfATransactionWrittenInSeveralChunks() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql("CREATE TABLE stock(id int PRIMARY KEY, qty int)");
      p.configure(
              yaml(db, "{ name: r, target: pg, conflict: newer-wins, batch: { maxEvents: 2 } }"))
          .start();
      // one commit time for all: the second change to row 1 lands in a later chunk
      p.sql(
          "BEGIN; INSERT INTO stock VALUES (1, 10), (2, 20), (3, 30);"
              + " UPDATE stock SET qty = 11 WHERE id = 1; DELETE FROM stock WHERE id = 2; COMMIT");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT id, qty FROM stock ORDER BY id"))
          .containsExactly(List.of(1, 11), List.of(3, 30));
    }
  }

  @Test
  void reapplyingFromAnOlderCheckpointChangesNothing() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TABLE t(id int PRIMARY KEY, v int)",
          "INSERT INTO t SELECT g, g FROM generate_series(1, 500) g");
      p.configure(yaml(db, "{ name: r, target: pg, batch: { maxEvents: 50 } }")).start();
      p.sql(
          "UPDATE t SET v = v * 2 WHERE id % 3 = 0",
          "DELETE FROM t WHERE id % 7 = 0", "INSERT INTO t VALUES (1000, 1)");
      p.flush(id -> targetHas(db, "flush_mark", id));
      List<List<Object>> before = TARGET.cluster().queryIn(db, "SELECT * FROM t ORDER BY id");
      p.stopRules();
      TARGET.cluster().executeIn(db, "DELETE FROM sluice.sluice_checkpoints");

      p.startRules();
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT * FROM t ORDER BY id")).isEqualTo(before);
      assertThat(before).hasSize(500 - 71 + 1);
    }
  }

  @Test
  void aChangeTheTargetRefusesStopsTheRuleAtThatChange() throws Exception {
    String db = targetDatabase();
    TARGET
        .cluster()
        .executeIn(db, "CREATE TABLE guarded(id int PRIMARY KEY, qty int CHECK (qty >= 0))");
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql("CREATE TABLE guarded(id int PRIMARY KEY, qty int)");
      p.configure(yaml(db, "{ name: r, target: pg }")).start();
      p.sql(
          "INSERT INTO guarded VALUES (1, 5)",
          "BEGIN; INSERT INTO guarded VALUES (2, 1); UPDATE guarded SET qty = -1 WHERE id = 1; COMMIT");
      p.await(() -> p.status("r").state() == RuleState.FAILED, "the rule to fail");

      RuleStatus status = p.status("r");
      assertThat(status.lastError())
          .contains("update of public.guarded key [1] at journal position")
          .contains("guarded_qty_check");
      assertThat(TARGET.cluster().queryIn(db, "SELECT id, qty FROM guarded ORDER BY id"))
          .containsExactly(List.of(1, 5));
      assertThat(p.events).anySatisfy(e -> assertThat(e.type()).isEqualTo("rule.error"));
    }
  }

  @Test
  void withOnErrorSkipARefusedChangeGoesToTheDeadLetterFile() throws Exception {
    String db = targetDatabase();
    TARGET
        .cluster()
        .executeIn(db, "CREATE TABLE guarded(id int PRIMARY KEY, qty int CHECK (qty >= 0))");
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql("CREATE TABLE guarded(id int PRIMARY KEY, qty int)");
      p.configure(yaml(db, "{ name: r, target: pg, onError: skip }")).start();
      p.sql("INSERT INTO guarded VALUES (1, 5), (2, -3), (3, 7)");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT id FROM guarded ORDER BY id"))
          .containsExactly(List.of(1), List.of(3));
      assertThat(p.status("r").deadLetters()).isEqualTo(1);
      String letters =
          java.nio.file.Files.readString(p.dir.resolve("journal/dead-letters/r.jsonl"));
      assertThat(letters).contains("\"key\":{\"id\":2}").contains("guarded_qty_check");
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  java.nio.file.Files.getPosixFilePermissions(
                      p.dir.resolve("journal/dead-letters/r.jsonl"))))
          .as("dead letters hold row data: owner-only")
          .isEqualTo("rw-------");
      assertThat(p.status("r").state()).isEqualTo(RuleState.RUNNING);
    }
  }

  @Test
  void mirrorModeRemovesTargetRowsThatAreNotOnTheSource() throws Exception {
    String db = targetDatabase();
    TARGET
        .cluster()
        .executeIn(
            db,
            "CREATE TABLE m(id int PRIMARY KEY, v text)",
            "INSERT INTO m VALUES (1, 'stale'), (99, 'extra')");
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TABLE m(id int PRIMARY KEY, v text)",
          "INSERT INTO m VALUES (1, 'fresh'), (2, 'two')");
      p.configure(yaml(db, "{ name: r, target: pg, mode: mirror }")).start();
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT * FROM m ORDER BY id"))
          .containsExactly(List.of(1, "fresh"), List.of(2, "two"));
      assertThat(p.events)
          .anySatisfy(e -> assertThat(e.message()).contains("1 rows that left the source removed"));
    }
  }

  @Test
  void appendModeInsertsOnlyAndKeepsItsRowsThroughATruncate() throws Exception {
    String db = targetDatabase();
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql("CREATE TABLE events(id int PRIMARY KEY, what text)");
      p.configure(yaml(db, "{ name: r, target: pg, mode: append }")).start();
      p.sql(
          "INSERT INTO events VALUES (1, 'a'), (2, 'b')",
          "UPDATE events SET what = 'changed'",
          "DELETE FROM events WHERE id = 1",
          "TRUNCATE events",
          "INSERT INTO events VALUES (3, 'c')");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT * FROM events ORDER BY id"))
          .containsExactly(List.of(1, "a"), List.of(2, "b"), List.of(3, "c"));
    }
  }

  @Test
  void appendModeRefusesToStartWhenTheTargetIsNotAPrefixOfTheSource() throws Exception {
    String db = targetDatabase();
    TARGET
        .cluster()
        .executeIn(
            db,
            "CREATE TABLE events(id int PRIMARY KEY, what text)",
            "INSERT INTO events VALUES (1, 'a'), (3, 'c')");
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TABLE events(id int PRIMARY KEY, what text)",
          "INSERT INTO events VALUES (1, 'a'), (2, 'b'), (3, 'c')");
      p.configure(yaml(db, "{ name: r, target: pg, mode: append }")).start();
      p.await(() -> p.status("r").state() == RuleState.FAILED, "the rule to refuse to start");

      assertThat(p.status("r").lastError())
          .contains("rule r refuses to start: public.events is not a prefix of public.events")
          .contains("row 2 has key [3] on the target but [2] on the source");
      assertThat(TARGET.cluster().queryIn(db, "SELECT count(*) FROM events").get(0).get(0))
          .isEqualTo(2L);
    }
  }

  @Test
  void appendModeContinuesATargetThatIsAPrefixOfTheSource() throws Exception {
    String db = targetDatabase();
    TARGET
        .cluster()
        .executeIn(
            db,
            "CREATE TABLE events(id int PRIMARY KEY, what text)",
            "INSERT INTO events VALUES (1, 'a'), (2, 'b')");
    try (Pipeline p = new Pipeline(SOURCE.cluster())) {
      p.sql(
          "CREATE TABLE events(id int PRIMARY KEY, what text)",
          "INSERT INTO events VALUES (1, 'a'), (2, 'b'), (3, 'c')");
      p.configure(yaml(db, "{ name: r, target: pg, mode: append }")).start();
      p.sql("INSERT INTO events VALUES (4, 'd')");
      p.flush(id -> targetHas(db, "flush_mark", id));

      assertThat(TARGET.cluster().queryIn(db, "SELECT id FROM events ORDER BY id"))
          .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
    }
  }

  @Test
  void aStoppedTargetIsCaughtUpWhenItReturnsWhileOtherRulesGoOn() throws Exception {
    String db = targetDatabase();
    try (var second = PostgresCluster.start("apply-target-2");
        Pipeline p = new Pipeline(SOURCE.cluster())) {
      second.execute("CREATE DATABASE other");
      p.sql("CREATE TABLE t(id int PRIMARY KEY)");
      p.configure(
              """
              source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
              journal: { dir: "${DIR}/journal" }
              targets:
                up: { url: "%s", user: postgres }
                down: { url: "%s", user: postgres }
              rules:
                - { name: steady, target: up }
                - { name: flaky, target: down }
              """
                  .formatted(TARGET.cluster().jdbcUrl(db), second.jdbcUrl("other")),
              Map.of())
          .start();
      p.sql("INSERT INTO t VALUES (1)");
      p.flush(id -> targetHas(db, "flush_mark", id));
      second.stop();
      p.sql("INSERT INTO t SELECT generate_series(2, 100)");
      p.flush(id -> targetHas(db, "flush_mark", id));
      p.await(() -> p.status("flaky").state() == RuleState.RETRYING, "the flaky rule to retry");
      assertThat(TARGET.cluster().queryIn(db, "SELECT count(*) FROM t").get(0).get(0))
          .isEqualTo(100L);
      assertThat(p.status("flaky").lagChanges()).isPositive();

      second.startServer();
      p.await(
          () -> second.queryIn("other", "SELECT count(*) FROM t").get(0).get(0).equals(100L),
          "the flaky rule to catch up");
      assertThat(p.events).extracting(ApplyEvent::type).contains("rule.paused", "rule.resumed");
    }
  }
}
