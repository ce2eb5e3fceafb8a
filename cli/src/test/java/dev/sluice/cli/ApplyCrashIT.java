package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} killed with SIGKILL at random moments while it applies a write workload into
 * PostgreSQL, MariaDB and SQLite: afterwards every target equals the source and nothing was applied
 * twice. Rounds: {@code -Dsluice.test.rounds} (3 by default, 100 with {@code -Plong}).
 */
class ApplyCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("apply-crash");

  @TempDir Path dir;

  @Test
  void afterKillNineDuringApplyEveryTargetEqualsTheSourceWithoutDuplicates() throws Exception {
    int rounds = Integer.getInteger("sluice.test.rounds", 3);
    long seed = Long.getLong("sluice.test.seed", System.nanoTime());
    Random random = new Random(seed);
    PostgresCluster pg = PG.cluster();
    long started = System.nanoTime();
    try (FaultRig rig = FaultRig.create(pg, pg, "crash", dir, "")) {
      rig.sql(
          Workload.TABLE,
          "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 2000) g");
      establishCapture(rig);
      Workload workload = Workload.start(pg, rig.name, random.nextLong());
      try {
        for (int round = 1; round <= rounds; round++) {
          try (SluiceProcess sluice = rig.run()) {
            FaultRig.awaitRunning(sluice);
            Thread.sleep(200 + random.nextInt(3_000)); // a random moment under load
            assertThat(sluice.isAlive())
                .as("sluice died in round %d (seed %d); log:\n%s", round, seed, sluice.log())
                .isTrue();
            sluice.kill();
          }
        }
      } finally {
        workload.close();
      }
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      String figures =
          "apply crash: %d kill -9 rounds, %d transactions, %d changes, %.0f s, seed %d%n"
              .formatted(
                  rounds,
                  workload.transactions(),
                  workload.changes(),
                  (System.nanoTime() - started) / 1e9,
                  seed);
      System.out.print(figures);
      Files.writeString(
          Path.of("target", "apply-crash-figures.txt"),
          figures,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      assertThat(workload.transactions()).as("transactions written").isGreaterThan(rounds);
    }
  }

  /**
   * A first run until the initial snapshot is applied and capture streams with its position stored:
   * the kills then hit streaming and applying (kills during a snapshot: the next test).
   */
  private static void establishCapture(FaultRig rig) throws Exception {
    try (SluiceProcess sluice = rig.run()) {
      FaultRig.awaitRunning(sluice);
      rig.sql("INSERT INTO t(v, note) VALUES (0, 'streamed')");
      rig.assertTargetsEqualAndNoDuplicates();
      assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
    }
  }

  @Test
  void aRowDeletedBetweenAnAbandonedSnapshotAndItsRetakeLeavesEveryTarget() throws Exception {
    PostgresCluster pg = PG.cluster();
    try (FaultRig rig = FaultRig.create(pg, pg, "resnap", dir, "")) {
      rig.sql(
          "CREATE TABLE t(id bigint PRIMARY KEY, pad text NOT NULL)",
          "INSERT INTO t SELECT g, repeat('p', 300) FROM generate_series(1, 300000) g");
      try (SluiceProcess sluice = rig.run();
          java.sql.Connection target = rig.pgTargetConnection()) {
        FaultRig.await(
            () -> sluice.isAlive() && FaultRig.count(target, "t") > 0,
            Duration.ofMinutes(3),
            () -> "snapshot rows on the PostgreSQL target; log:\n" + sluice.log());
        sluice.kill(); // in the middle of the snapshot: the target has some of its rows
      }
      rig.sql("DELETE FROM t WHERE id % 3 = 0");
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        rig.sql("UPDATE t SET pad = 'streamed' WHERE id = 1");
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }
}
