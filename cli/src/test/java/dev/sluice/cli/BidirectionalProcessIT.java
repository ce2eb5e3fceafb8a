package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two PostgreSQL clusters, two {@code sluice run} processes, each with a bidirectional rule to the
 * other; an application writes both databases at once, a share of it on the same keys; each sidecar
 * is killed with SIGKILL in turn while it runs. Afterwards both databases are equal row by row,
 * {@code sluice verify} agrees both ways, each journal holds its own side's changes exactly once
 * (so nothing came back as an echo), and conflicts were logged.
 */
class BidirectionalProcessIT {
  private static PostgresCluster a;
  private static PostgresCluster b;

  @TempDir Path dir;

  @BeforeAll
  static void startClusters() {
    a = PostgresCluster.start("bidi-proc-a", 17, Map.of("track_commit_timestamp", "on"));
    b = PostgresCluster.start("bidi-proc-b", 17, Map.of("track_commit_timestamp", "on"));
  }

  @AfterAll
  static void stopClusters() {
    a.close();
    b.close();
  }

  private static final int SHARED = 50;

  private static void prepare(PostgresCluster side, int round) {
    String db = "bidi" + round;
    side.execute("CREATE DATABASE " + db);
    side.executeIn(
        db,
        "CREATE SCHEMA sluice",
        "CREATE TABLE items(id bigint PRIMARY KEY, note text, n int NOT NULL)",
        "INSERT INTO items SELECT g, 'seed', 0 FROM generate_series(1, " + SHARED + ") g");
  }

  private Path config(String node, String peer, PostgresCluster here, PostgresCluster there, int r)
      throws Exception {
    Path file = dir.resolve(node + "-" + r + ".yaml");
    Files.writeString(
        file,
        """
        source: { url: '%s', slot: bidi_%s, snapshot: never, heartbeat: 1s, tables: [public.items] }
        journal: { dir: journal-%s }
        targets:
          %s: { url: '%s', user: postgres }
        rules:
          - { name: to-%s, target: %s, mode: bidirectional, node: %s }
        monitor: { port: 0 }
        state: state-%s.json
        """
            .formatted(
                here.jdbcUrl("bidi" + r),
                node + "_" + r,
                node + "-" + r,
                peer,
                there.jdbcUrl("bidi" + r),
                peer,
                peer,
                node,
                node + "-" + r));
    return file;
  }

  /**
   * One side's application: updates of the shared keys (both sides write them), inserts of keys of
   * its own (odd on a, even on b) some of which it deletes again, and inserts of shared keys that
   * both sides insert once each. It counts the row changes it committed.
   */
  private static Thread writer(
      PostgresCluster side, int round, int parity, AtomicBoolean writing, AtomicLong changes) {
    Thread thread =
        new Thread(
            () -> {
              Random random = new Random(round * 31L + parity);
              long own = 1_000 + parity;
              long sharedInsert = 1_000_000;
              try (Connection c = side.connect("bidi" + round);
                  Statement s = c.createStatement()) {
                while (writing.get()) {
                  int choice = random.nextInt(10);
                  String note = "'" + (parity == 1 ? "a" : "b") + " \uD83D\uDE80 " + choice + "'";
                  if (choice < 5) {
                    changes.addAndGet(
                        s.executeUpdate(
                            "UPDATE items SET note = "
                                + note
                                + ", n = n + 1 WHERE id = "
                                + (1 + random.nextInt(SHARED))));
                  } else if (choice < 8) {
                    changes.addAndGet(
                        s.executeUpdate(
                            "INSERT INTO items VALUES ("
                                + own
                                + ", "
                                + note
                                + ", "
                                + choice
                                + ")"));
                    if (choice == 7) {
                      changes.addAndGet(s.executeUpdate("DELETE FROM items WHERE id = " + own));
                    }
                    own += 2;
                  } else {
                    changes.addAndGet(
                        s.executeUpdate(
                            "INSERT INTO items VALUES ("
                                + sharedInsert++
                                + ", "
                                + note
                                + ", 1) ON CONFLICT (id) DO UPDATE SET note = excluded.note"));
                  }
                  Thread.sleep(random.nextInt(4));
                }
              } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            },
            "writer-" + parity);
    thread.start();
    return thread;
  }

  private static String rows(PostgresCluster side, int round) {
    return side.queryIn("bidi" + round, "SELECT id, note, n FROM items ORDER BY id").toString();
  }

  private static long ownChangesJournaled(Path config) {
    SluiceConfig loaded =
        new ConfigLoader(Map.of()).parse(read(config), config.toString(), config.getParent(), null);
    long own = 0;
    try (Journal journal = Journal.open(loaded.journal());
        JournalReader reader = journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        if (e instanceof ChangeEvent change && !change.has(ChangeEvent.FROM_PEER)) {
          own++;
        }
      }
    }
    return own;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final int ROUNDS = Integer.getInteger("sluice.test.bidiRounds", 1);

  @Test
  void bothDatabasesEndEqualAfterEachSidecarIsKilledWhileBothSidesAreWritten() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) {
      runRound(round);
    }
  }

  private void runRound(int round) throws Exception {
    prepare(a, round);
    prepare(b, round);
    Path configA = config("a", "b", a, b, round);
    Path configB = config("b", "a", b, a, round);
    Path logA = dir.resolve("a-" + round + ".log");
    Path logB = dir.resolve("b-" + round + ".log");
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong changesA = new AtomicLong();
    AtomicLong changesB = new AtomicLong();
    SluiceProcess sidecarA = start(configA, logA);
    SluiceProcess sidecarB = start(configB, logB);
    try {
      FaultRig.awaitRunning(sidecarA);
      FaultRig.awaitRunning(sidecarB);
      Thread writerA = writer(a, round, 1, writing, changesA);
      Thread writerB = writer(b, round, 0, writing, changesB);
      Thread.sleep(3_000);
      sidecarA.kill(); // both sides keep being written while a's sidecar is down
      Thread.sleep(1_500);
      sidecarA = start(configA, logA);
      FaultRig.awaitRunning(sidecarA);
      Thread.sleep(3_000);
      sidecarB.kill();
      Thread.sleep(1_500);
      sidecarB = start(configB, logB);
      FaultRig.awaitRunning(sidecarB);
      Thread.sleep(3_000);
      writing.set(false);
      writerA.join();
      writerB.join();

      int r = round;
      FaultRig.await(
          () -> rows(a, r).equals(rows(b, r)),
          Duration.ofSeconds(90),
          () -> "both databases equal; a has\n" + rows(a, r) + "\nb has\n" + rows(b, r));
      CliRun verifyAtoB = CliRun.of("verify", "-c", configA.toString(), "--rule", "to-b");
      assertThat(verifyAtoB.exitCode()).as(verifyAtoB.out() + verifyAtoB.err()).isZero();
      CliRun verifyBtoA = CliRun.of("verify", "-c", configB.toString(), "--rule", "to-a");
      assertThat(verifyBtoA.exitCode()).as(verifyBtoA.out() + verifyBtoA.err()).isZero();
      assertThat(sidecarA.terminate(Duration.ofSeconds(60))).isZero();
      assertThat(sidecarB.terminate(Duration.ofSeconds(60))).isZero();
    } finally {
      writing.set(false);
      sidecarA.close();
      sidecarB.close();
    }
    for (PostgresCluster side : List.of(a, b)) {
      side.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
              + " WHERE database = 'bidi"
              + round
              + "' AND NOT active");
    }
    // each journal holds its own side's changes once: none came back from the peer unflagged
    assertThat(ownChangesJournaled(configA)).isEqualTo(changesA.get());
    assertThat(ownChangesJournaled(configB)).isEqualTo(changesB.get());
    long conflicts =
        List.of(logA, logB).stream()
            .flatMap(log -> read(log).lines())
            .filter(line -> line.contains(": conflict on public.items key"))
            .count();
    assertThat(conflicts).as("conflicts logged").isPositive();
    System.out.printf(
        "bidirectional round %d: %d changes on a, %d on b, %d conflicts logged%n",
        round, changesA.get(), changesB.get(), conflicts);
  }

  private static SluiceProcess start(Path config, Path log) {
    return SluiceProcess.start(List.of("-Xmx256m"), log, "run", "-c", config.toString());
  }
}
