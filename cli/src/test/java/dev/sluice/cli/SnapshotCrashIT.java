package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Marker;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} started for the first time while a write workload already runs, and killed
 * with SIGKILL in its first seconds: during the initial snapshot, just after it, and while it
 * streams. Afterwards the journal holds exactly the source's rows (its last snapshot, then every
 * change streamed after it) and every target equals the source: no row deleted between two starts
 * stays behind. One scenario of random kills by default; with {@code -Plong} eight of each kind,
 * each with a seed of its own (printed; {@code -Dsluice.test.seed} repeats one).
 */
class SnapshotCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("snapshot-crash");

  @TempDir Path dir;

  @Test
  void killsDuringAndJustAfterAnInitialSnapshotUnderLoadLoseNoChange() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Boolean.getBoolean("sluice.test.long"), "a long test: -Plong");
    int scenarios = 8;
    Long fixedSeed = Long.getLong("sluice.test.seed");
    Random seeds = new Random();
    for (int scenario = 1; scenario <= scenarios; scenario++) {
      long seed = fixedSeed != null ? fixedSeed : seeds.nextLong();
      System.out.printf("snapshot crash early%d: seed %d%n", scenario, seed);
      scenario("early" + scenario, seed);
    }
  }

  @Test
  void killsAtRandomMomentsFromTheFirstStartUnderLoadLoseNoChange() throws Exception {
    int scenarios = Boolean.getBoolean("sluice.test.long") ? 8 : 1;
    Long fixedSeed = Long.getLong("sluice.test.seed");
    Random seeds = new Random();
    for (int scenario = 1; scenario <= scenarios; scenario++) {
      long seed = fixedSeed != null ? fixedSeed : seeds.nextLong();
      System.out.printf("random kills random%d: seed %d%n", scenario, seed);
      randomKills("random" + scenario, seed);
    }
  }

  private void randomKills(String name, long seed) throws Exception {
    Random random = new Random(seed);
    PostgresCluster pg = PG.cluster();
    Path scenarioDir = Files.createDirectories(dir.resolve(name));
    try (FaultRig rig = FaultRig.create(pg, pg, name, scenarioDir, "")) {
      rig.sql(
          Workload.TABLE,
          "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 2000) g");
      Workload workload = Workload.start(pg, name, random.nextLong());
      try {
        for (int round = 1; round <= 5; round++) {
          try (SluiceProcess sluice = rig.run()) {
            Thread.sleep(1_000 + random.nextInt(4_000));
            sluice.kill();
          }
        }
      } finally {
        workload.close();
      }
      long logStart = logLength(rig);
      try (SluiceProcess sluice = rig.run()) {
        awaitRunning(rig, sluice, logStart);
        assertJournalImageEqualsSource(rig, seed);
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      System.out.printf(
          "random kills %s: %d transactions, seed %d%n", name, workload.transactions(), seed);
    }
  }

  private void scenario(String name, long seed) throws Exception {
    Random random = new Random(seed);
    PostgresCluster pg = PG.cluster();
    long started = System.nanoTime();
    Path scenarioDir = Files.createDirectories(dir.resolve(name));
    try (FaultRig rig = FaultRig.create(pg, pg, name, scenarioDir, "")) {
      rig.sql(
          Workload.TABLE,
          "INSERT INTO t(v, note) SELECT g, repeat('s', 200) FROM generate_series(1, 60000) g");
      Workload workload = Workload.start(pg, name, random.nextLong());
      int rounds = 3;
      try {
        try (SluiceProcess sluice = rig.run();
            Connection target = rig.pgTargetConnection()) {
          // the first kill hits the initial snapshot: the slot exists, the snapshot is unfinished
          FaultRig.await(
              () -> sluice.isAlive() && FaultRig.count(target, "t") > 0,
              Duration.ofMinutes(3),
              () -> "snapshot rows on the PostgreSQL target; log:\n" + sluice.log());
          sluice.kill();
        }
        long logStart = logLength(rig);
        try (SluiceProcess sluice = rig.run()) {
          awaitRunning(rig, sluice, logStart);
          // the second kill at a random moment: during the snapshot taken again, or streaming
          Thread.sleep(random.nextInt(3_000));
          assertThat(sluice.isAlive())
              .as("sluice died in round 2 (seed %d); log:\n%s", seed, sluice.log())
              .isTrue();
          sluice.kill();
        }
        long logStart3 = logLength(rig);
        try (SluiceProcess sluice = rig.run()) {
          // the third just after the snapshot's last row was journaled, when the engine may not
          // have stored that the snapshot finished (or at a moment of streaming, when this start
          // takes no snapshot)
          FaultRig.await(
              () -> {
                assertThat(sluice.isAlive()).as("sluice exited; log:\n" + sluice.log()).isTrue();
                String log = logSince(rig, logStart3);
                return log.contains("snapshot.done")
                    || (log.contains("sluice is running") && !log.contains("snapshot.start"));
              },
              Duration.ofMinutes(3),
              () -> "the end of the snapshot; log:\n" + sluice.log());
          Thread.sleep(random.nextInt(1_000));
          sluice.kill();
        }
      } finally {
        workload.close();
      }
      long logStart = logLength(rig);
      try (SluiceProcess sluice = rig.run()) {
        awaitRunning(rig, sluice, logStart);
        assertJournalImageEqualsSource(rig, seed);
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      System.out.printf(
          "snapshot crash %s: %d kill -9 rounds, %d transactions, %.0f s, seed %d%n",
          name, rounds, workload.transactions(), (System.nanoTime() - started) / 1e9, seed);
    }
  }

  private static long logLength(FaultRig rig) throws java.io.IOException {
    return Files.exists(rig.log) ? Files.size(rig.log) : 0;
  }

  /** What the sidecar logged after {@code start} bytes of its log (shared by its starts). */
  private static String logSince(FaultRig rig, long start) {
    try {
      byte[] log = Files.readAllBytes(rig.log);
      return new String(
          log, (int) start, Math.max(0, log.length - (int) start), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** Waits until the start whose log begins at {@code logStart} says the sidecar runs. */
  private static void awaitRunning(FaultRig rig, SluiceProcess sluice, long logStart)
      throws InterruptedException {
    FaultRig.await(
        () -> {
          assertThat(sluice.isAlive()).as("sluice exited; log:\n" + sluice.log()).isTrue();
          return logSince(rig, logStart).contains("sluice is running");
        },
        Duration.ofMinutes(3),
        () -> "'sluice is running'; log:\n" + sluice.log());
  }

  /**
   * The rows the journal describes — those of its last snapshot, changed by every change journaled
   * after it — are exactly the source's rows. A sentinel row inserted last tells when the journal
   * has caught up.
   */
  private static void assertJournalImageEqualsSource(FaultRig rig, long seed) throws Exception {
    long sentinel;
    try (Connection c = rig.source.connect(rig.name);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("INSERT INTO t(v, note) VALUES (-1, 'sentinel') RETURNING id")) {
      rs.next();
      sentinel = rs.getLong(1);
    }
    FaultRig.await(
        () -> journalImage(rig).contains(sentinel) && snapshotCompleted(rig),
        Duration.ofMinutes(3),
        () -> "the sentinel row " + sentinel + " in the journal");
    Set<Long> journal = journalImage(rig);
    Set<Long> source = new HashSet<>();
    try (Connection c = rig.source.connect(rig.name);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM t")) {
      while (rs.next()) {
        source.add(rs.getLong(1));
      }
    }
    Set<Long> extra = new TreeSet<>(journal);
    extra.removeAll(source);
    Set<Long> missing = new TreeSet<>(source);
    missing.removeAll(journal);
    assertThat(List.of(extra.size(), missing.size()))
        .as(
            "rows the journal holds but the source does not (%d, e.g. %s), rows the source holds"
                + " but the journal does not (%d, e.g. %s); seed %d; sentinel %d; markers:%n%s%n"
                + "capture's log:%n%s",
            extra.size(),
            first(extra),
            missing.size(),
            first(missing),
            seed,
            sentinel,
            markers(rig),
            captureLog(rig))
        .containsExactly(0, 0);
  }

  private static String markers(FaultRig rig) {
    try (Journal journal = Journal.openReadOnly(rig.dir.resolve("journal"))) {
      return journal.markers().stream()
          .map(m -> "  " + m.position() + " " + m.kind() + " " + m.detail())
          .collect(java.util.stream.Collectors.joining("\n"));
    }
  }

  private static String captureLog(FaultRig rig) {
    return logSince(rig, 0)
        .lines()
        .filter(
            line ->
                line.contains("capture")
                    || line.contains("snapshot")
                    || line.contains("slot")
                    || line.contains("sluice is running"))
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  private static List<Long> first(Set<Long> ids) {
    return new ArrayList<>(ids).subList(0, Math.min(10, ids.size()));
  }

  /** Whether the journal's last snapshot is complete. */
  private static boolean snapshotCompleted(FaultRig rig) {
    try (Journal journal = Journal.openReadOnly(rig.dir.resolve("journal"))) {
      List<Marker> markers = journal.markers();
      return !markers.isEmpty()
          && markers.stream()
              .filter(m -> m.kind() != Marker.Kind.CAPTURE_STARTED)
              .reduce((a, b) -> b)
              .map(m -> m.kind() == Marker.Kind.SNAPSHOT_COMPLETED)
              .orElse(false);
    }
  }

  /** Ids of {@code t} after the journal's last snapshot and every change journaled after it. */
  private static Set<Long> journalImage(FaultRig rig) {
    Set<Long> ids = new HashSet<>();
    try (Journal journal = Journal.openReadOnly(rig.dir.resolve("journal"));
        JournalReader reader = journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        if (e instanceof Marker m && m.kind() == Marker.Kind.SNAPSHOT_STARTED) {
          ids.clear();
        } else if (e instanceof ChangeEvent c && c.table().name().equals("t")) {
          long id = ((Number) c.key()[0]).longValue();
          switch (c.op()) {
            case DELETE -> ids.remove(id);
            case TRUNCATE -> ids.clear();
            default -> ids.add(id);
          }
        }
      }
    }
    return ids;
  }
}
