package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the source under a running sidecar: the server restarted (fast shutdown) or crashed
 * (immediate stop) mid-stream, and the replication slot dropped by an operator. Every scenario ends
 * with every target equal to the source and no change journaled twice.
 */
class SourceFaultsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("source-faults");

  @TempDir Path dir;

  @Test
  void afterAFastRestartOfTheSourceCaptureReconnectsAndLosesNothing() throws Exception {
    restartMidStream("fast", PostgresCluster::stop);
  }

  @Test
  void afterACrashOfTheSourceCaptureReconnectsAndLosesNothing() throws Exception {
    restartMidStream("immediate", PostgresCluster::crash);
  }

  private void restartMidStream(String name, Consumer<PostgresCluster> stop) throws Exception {
    PostgresCluster pg = PG.cluster();
    try (FaultRig rig = FaultRig.create(pg, pg, "restart_" + name, dir, "")) {
      rig.sql(Workload.TABLE);
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        Workload workload = Workload.start(pg, rig.name, 7);
        try {
          awaitTransactions(workload, 300);
          stop.accept(pg);
          pg.startServer();
          long lost = workload.connectionsLost();
          awaitTransactions(workload, workload.transactions() + 300);
          assertThat(lost).as("the workload noticed the restart").isPositive();
        } finally {
          workload.close();
        }
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.isAlive())
            .as("sluice survives the restart; log:\n" + sluice.log())
            .isTrue();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  @Test
  void aTableCreatedUnderARunningSidecarReachesEveryTargetWithItsEarlierRows() throws Exception {
    // a race once lost most of such a table's earlier rows: -Plong runs the scenario 50 times
    int rounds = Boolean.getBoolean("sluice.test.long") ? 50 : 1;
    for (int round = 1; round <= rounds; round++) {
      String name = rounds == 1 ? "late_table" : "late_table_" + round;
      aTableCreatedUnderARunningSidecar(name, Files.createDirectories(dir.resolve(name)));
    }
  }

  private void aTableCreatedUnderARunningSidecar(String name, Path dir) throws Exception {
    PostgresCluster pg = PG.cluster();
    try (FaultRig rig = FaultRig.create(pg, pg, name, dir, "")) {
      rig.sql(Workload.TABLE);
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        Workload workload = Workload.start(pg, rig.name, 7);
        try {
          awaitTransactions(workload, 200);
          // rows written before capture restarts with the table reach the targets through its
          // snapshot, the later ones streamed
          rig.sql(
              "CREATE TABLE late(id int PRIMARY KEY, note text)",
              "INSERT INTO late SELECT g, 'early ' || g FROM generate_series(1, 500) g");
          for (int i = 501; i <= 600; i++) {
            rig.sql("INSERT INTO late VALUES (" + i + ", 'one by one')");
            Thread.sleep(20);
          }
          rig.sql(
              "UPDATE late SET note = 'changed' WHERE id % 7 = 0",
              "DELETE FROM late WHERE id % 11 = 0");
          awaitTransactions(workload, workload.transactions() + 200);
        } finally {
          workload.close();
        }
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.log()).contains("capture restarts to add them");
        assertThat(sluice.isAlive()).as(sluice.log()).isTrue();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  private static void awaitTransactions(Workload workload, long count) throws InterruptedException {
    FaultRig.await(
        () -> workload.transactions() >= count,
        Duration.ofMinutes(2),
        () -> count + " workload transactions (" + workload.transactions() + " so far)");
  }

  @Test
  void aSlotDroppedWhileStoppedIsNamedInTheErrorAndSluiceSnapshotRecovers() throws Exception {
    PostgresCluster pg = PG.cluster();
    try (FaultRig rig = FaultRig.create(pg, pg, "dropped", dir, "")) {
      rig.sql(
          Workload.TABLE,
          "INSERT INTO t(v, note) SELECT g, 'before' FROM generate_series(1, 500) g");
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        rig.sql("UPDATE t SET note = 'streamed' WHERE id <= 100");
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      pg.execute("SELECT pg_drop_replication_slot('dropped')");
      rig.sql(
          "INSERT INTO t(v, note) SELECT g, 'while the slot was gone' FROM generate_series(1, 200) g",
          "UPDATE t SET note = 'changed while the slot was gone' WHERE id BETWEEN 101 AND 150");

      try (SluiceProcess refused = rig.run()) {
        assertThat(refused.waitFor(Duration.ofMinutes(2))).as(refused.log()).isEqualTo(2);
        assertThat(refused.log())
            .contains("the replication slot 'dropped' is gone")
            .contains("sluice snapshot -c");
      }
      CliRun snapshot = CliRun.of("snapshot", "-c", rig.config.toString());
      assertThat(snapshot.exitCode()).as(snapshot.err()).isZero();
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        rig.sql("INSERT INTO t(v, note) VALUES (0, 'after the recovery')");
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  @Test
  void aSlotDroppedUnderARunningSidecarStopsItWithTheSlotsNameAndSluiceSnapshotRecovers()
      throws Exception {
    PostgresCluster pg = PG.cluster();
    try (FaultRig rig = FaultRig.create(pg, pg, "dropped_live", dir, "")) {
      rig.sql(
          Workload.TABLE,
          "INSERT INTO t(v, note) SELECT g, 'before' FROM generate_series(1, 500) g");
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        rig.assertTargetsEqualAndNoDuplicates();
        // what an operator does to drop a slot in use: end its walsender, then drop it
        pg.execute(
            "DO $$ BEGIN LOOP"
                + " PERFORM pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + "  WHERE slot_name = 'dropped_live' AND active_pid IS NOT NULL;"
                + " BEGIN PERFORM pg_drop_replication_slot('dropped_live'); EXIT;"
                + " EXCEPTION WHEN object_in_use THEN PERFORM pg_sleep(0.01); END;"
                + " END LOOP; END $$");
        rig.sql("INSERT INTO t(v, note) SELECT g, 'after the drop' FROM generate_series(1, 200) g");
        assertThat(sluice.waitFor(Duration.ofMinutes(2))).as(sluice.log()).isEqualTo(2);
        assertThat(sluice.log()).contains("the replication slot 'dropped_live' is gone");
      }
      CliRun snapshot = CliRun.of("snapshot", "-c", rig.config.toString());
      assertThat(snapshot.exitCode()).as(snapshot.err()).isZero();
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }
}
