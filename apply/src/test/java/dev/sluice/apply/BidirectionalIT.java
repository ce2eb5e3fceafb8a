package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Op;
import dev.sluice.testkit.PostgresCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bidirectional rules end to end, in process: two clusters of one major, each with its own capture,
 * journal and a bidirectional rule to the other (the real pipeline of two sidecars). Majors 15 (no
 * server-side origin filter) and 17.
 */
class BidirectionalIT {
  private static final Map<String, PostgresCluster> CLUSTERS = new TreeMap<>();

  private static synchronized PostgresCluster cluster(String side, int major) {
    return CLUSTERS.computeIfAbsent(
        side + major,
        n -> PostgresCluster.start("bidi-" + n, major, Map.of("track_commit_timestamp", "on")));
  }

  @AfterAll
  static void stopClusters() {
    CLUSTERS.values().forEach(PostgresCluster::close);
    CLUSTERS.clear();
  }

  private static final String TABLE =
      "CREATE TABLE \"Odd \"\"Items\"\" Ω\"(id int PRIMARY KEY, note text, qty int)";
  private static final String ITEMS = "\"Odd \"\"Items\"\" Ω\"";

  /** Node a's sidecar also has an ordinary cdc rule into a third database (SQLite). */
  private static String yaml(String node, String peer, String peerUrl) {
    boolean a = node.equals("a");
    return """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", snapshot: never, heartbeat: 1s,
                  tables: ['public."Odd ""Items"" Ω"'] }
        journal: { dir: "${DIR}/journal" }
        targets:
          %s: { url: "%s", user: postgres }
          %s
        rules:
          - { name: to-%s, target: %s, mode: bidirectional, node: %s, batch: { maxDelay: 5ms } }
          %s
        """
        .formatted(
            peer,
            peerUrl,
            a ? "audit: { url: \"jdbc:sqlite:${DIR}/audit.db\" }" : "",
            peer,
            peer,
            node,
            a ? "- { name: to-audit, target: audit }" : "");
  }

  private static String audit(Pipeline side) throws java.sql.SQLException {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + side.dir + "/audit.db");
        var s = c.createStatement();
        var rows =
            s.executeQuery("SELECT id, note, qty FROM \"Odd \"\"Items\"\" Ω\" ORDER BY id")) {
      List<List<Object>> all = new ArrayList<>();
      while (rows.next()) {
        all.add(java.util.Arrays.asList(rows.getObject(1), rows.getObject(2), rows.getObject(3)));
      }
      return all.toString();
    }
  }

  /** Two pipelines, each applying to the other's database. */
  private record Pair(Pipeline a, Pipeline b) implements AutoCloseable {
    static Pair start(int major) throws Exception {
      Pipeline a = new Pipeline(cluster("a", major));
      Pipeline b = new Pipeline(cluster("b", major));
      // the schema where both the applier's checkpoint and capture's heartbeat live
      a.sql(TABLE, "CREATE SCHEMA sluice");
      b.sql(TABLE, "CREATE SCHEMA sluice");
      a.configure(yaml("a", "b", b.source.jdbcUrl(b.database)));
      b.configure(yaml("b", "a", a.source.jdbcUrl(a.database)));
      a.start();
      b.start();
      return new Pair(a, b);
    }

    String rows(Pipeline side) {
      return side.source
          .queryIn(side.database, "SELECT id, note, qty FROM " + ITEMS + " ORDER BY id")
          .toString();
    }

    void awaitEqual(String expected) throws InterruptedException {
      a.await(() -> rows(a).equals(expected), "a to hold " + expected + " (has " + rows(a) + ")");
      b.await(() -> rows(b).equals(expected), "b to hold " + expected + " (has " + rows(b) + ")");
    }

    void stopRules() {
      a.stopRules();
      b.stopRules();
    }

    void startRules() {
      a.startRules();
      b.startRules();
    }

    @Override
    public void close() throws Exception {
      try (a;
          b) {
        // both closed, b first
      }
    }
  }

  private static List<ChangeEvent> journaled(Pipeline side) {
    List<ChangeEvent> events = new ArrayList<>();
    try (JournalReader reader = side.journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        if (e instanceof ChangeEvent change) {
          events.add(change);
        }
      }
    }
    return events;
  }

  private static long applied(Pipeline side, String rule) {
    return side.status(rule).totals().values().stream().mapToLong(Long::longValue).sum();
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {15, 17})
  void changesWrittenOnEitherSideReachTheOtherOnceAndAreNeverSentBack(int major) throws Exception {
    try (Pair pair = Pair.start(major)) {
      pair.a.sql(
          "INSERT INTO " + ITEMS + " VALUES (1, 'from a ✓', 1), (3, NULL, 3)",
          "UPDATE " + ITEMS + " SET qty = 10 WHERE id = 1");
      pair.b.sql(
          "INSERT INTO " + ITEMS + " VALUES (2, 'from b \uD83D\uDE00 ''q''', 2)",
          "DELETE FROM " + ITEMS + " WHERE id = 2",
          "INSERT INTO " + ITEMS + " VALUES (4, 'b', 4)");
      pair.awaitEqual("[[1, from a ✓, 10], [3, null, 3], [4, b, 4]]");
      Thread.sleep(1500); // an echo, if there were one, would arrive within this

      // each journal holds its own side's changes, and the peer's (flagged) once each
      List<ChangeEvent> atA = journaled(pair.a);
      List<ChangeEvent> atB = journaled(pair.b);
      assertThat(atA).filteredOn(e -> !e.has(ChangeEvent.FROM_PEER)).hasSize(3);
      assertThat(atA)
          .filteredOn(e -> e.has(ChangeEvent.FROM_PEER))
          .extracting(ChangeEvent::op)
          .containsExactly(Op.INSERT, Op.DELETE, Op.INSERT);
      assertThat(atB).filteredOn(e -> !e.has(ChangeEvent.FROM_PEER)).hasSize(3);
      assertThat(atB)
          .filteredOn(e -> e.has(ChangeEvent.FROM_PEER))
          .extracting(ChangeEvent::op)
          .containsExactly(Op.INSERT, Op.INSERT, Op.UPDATE);
      // each rule applied its own side's changes only, once
      assertThat(applied(pair.a, "to-b")).isEqualTo(3);
      assertThat(applied(pair.b, "to-a")).isEqualTo(3);
      // the cdc rule beside the pair applies every change of a's journal: a's own and b's
      pair.a.await(() -> applied(pair.a, "to-audit") == 6, "the audit rule to apply 6 changes");
      assertThat(audit(pair.a)).isEqualTo("[[1, from a ✓, 10], [3, null, 3], [4, b, 4]]");
      // the origin's progress on b is the end of a's last transaction the rule read (the last
      // ones are b's own, which it skipped: their checkpoint commits carry their LSN)
      long lastOfA = atA.stream().mapToLong(ChangeEvent::commitLsn).max().orElseThrow();
      Object progress =
          pair.b
              .source
              .queryIn(
                  pair.b.database, "SELECT pg_replication_origin_progress('sluice_a', true)::text")
              .get(0)
              .get(0);
      assertThat(progress).isEqualTo(dev.sluice.journal.Lsn.format(lastOfA));
      // the peer's row on each side keeps the commit time its origin gave it
      long commitMicrosOfOne =
          atA.stream()
              .filter(e -> e.op() == Op.UPDATE)
              .mapToLong(ChangeEvent::commitTimeMicros)
              .findFirst()
              .orElseThrow();
      Object rowMicros =
          pair.b
              .source
              .queryIn(
                  pair.b.database,
                  "SELECT (EXTRACT(EPOCH FROM pg_xact_commit_timestamp(xmin)) * 1000000)::bigint"
                      + " FROM "
                      + ITEMS
                      + " WHERE id = 1")
              .get(0)
              .get(0);
      assertThat(((Number) rowMicros).longValue()).isEqualTo(commitMicrosOfOne);
    }
  }

  private static long conflicts(Pipeline side, String rule) {
    return side.status(rule).conflictCount();
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {15, 17})
  void concurrentWritesToOneKeyEndEqualOnBothSidesWithTheLaterWriteOrTheDeleteWinning(int major)
      throws Exception {
    try (Pair pair = Pair.start(major)) {
      pair.a.sql(
          "INSERT INTO "
              + ITEMS
              + " VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3),"
              + " (4, 'four', 4)");
      pair.awaitEqual("[[1, one, 1], [2, two, 2], [3, three, 3], [4, four, 4]]");
      // both sides written while neither rule runs: every pair of writes below is concurrent
      pair.stopRules();
      pair.b.sql("UPDATE " + ITEMS + " SET note = 'b was first' WHERE id = 1");
      pair.a.sql("UPDATE " + ITEMS + " SET note = 'a is later' WHERE id = 1"); // update/update
      pair.a.sql("UPDATE " + ITEMS + " SET note = 'a updates' WHERE id = 2");
      pair.b.sql("DELETE FROM " + ITEMS + " WHERE id = 2"); // update/delete
      pair.a.sql("DELETE FROM " + ITEMS + " WHERE id = 3");
      pair.b.sql("UPDATE " + ITEMS + " SET note = 'b updates later' WHERE id = 3"); // delete/update
      pair.a.sql("INSERT INTO " + ITEMS + " VALUES (5, 'a inserts', 50)");
      pair.b.sql("INSERT INTO " + ITEMS + " VALUES (5, 'b inserts later', 51)"); // insert/insert
      pair.startRules();

      pair.awaitEqual("[[1, a is later, 1], [4, four, 4], [5, b inserts later, 51]]");
      // each conflict counted once, on the side where the losing change arrived
      pair.a.await(() -> conflicts(pair.a, "to-b") == 2, "2 conflicts at b (a's rule)");
      pair.b.await(() -> conflicts(pair.b, "to-a") == 2, "2 conflicts at a (b's rule)");
      assertThat(pair.a.status("to-b").conflicts())
          .containsExactly(java.util.Map.entry("public." + ITEMS, 2L));
      Thread.sleep(1000);
      assertThat(conflicts(pair.a, "to-b")).isEqualTo(2);
      assertThat(conflicts(pair.b, "to-a")).isEqualTo(2);
      pair.awaitEqual("[[1, a is later, 1], [4, four, 4], [5, b inserts later, 51]]");
    }
  }
}
