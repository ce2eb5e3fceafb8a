package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL target that goes away under a write workload while {@code sluice run} applies into
 * it, MariaDB and SQLite: stopped for 30 s, or its connections cut by a proxy. Its rule retries and
 * catches up; the other rules never stop; in the end every target equals the source.
 */
class TargetFaultsIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("tf-source");
  @RegisterExtension static final PostgresExtension TARGET = new PostgresExtension("tf-target");

  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aTargetStoppedForThirtySecondsIsCaughtUpAndTheOtherRulesGoOnMeanwhile() throws Exception {
    try (FaultRig rig = FaultRig.create(SOURCE.cluster(), TARGET.cluster(), "stopped", dir, "")) {
      rig.sql(
          Workload.TABLE, "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 500) g");
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        Workload workload = Workload.start(SOURCE.cluster(), rig.name, 7);
        try (Connection lite = sqlite(rig)) {
          FaultRig.await(
              () -> FaultRig.count(lite, "t") > 500,
              Duration.ofMinutes(2),
              () -> "streamed rows on SQLite; log:\n" + sluice.log());
          Instant stopped = Instant.now();
          TARGET.cluster().stop();
          long liteAtStop = FaultRig.count(lite, "t");
          FaultRig.await(
              () -> FaultRig.count(lite, "t") > liteAtStop + 100,
              OUTAGE,
              () -> "SQLite rows while the PostgreSQL target is down (another rule must go on)");
          FaultRig.awaitLog(sluice, "rule.paused [to-pg]", OUTAGE);
          Thread.sleep(
              Math.max(0, OUTAGE.minus(Duration.between(stopped, Instant.now())).toMillis()));
          TARGET.cluster().startServer();
          FaultRig.awaitLog(sluice, "rule.resumed [to-pg]", Duration.ofMinutes(2));
        } finally {
          workload.close();
        }
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  @Test
  void aTargetWhoseConnectionsAreCutCatchesUpWhenTheNetworkReturns() throws Exception {
    try (FaultRig rig = FaultRig.create(SOURCE.cluster(), TARGET.cluster(), "cut", dir, "");
        CuttableProxy proxy = CuttableProxy.to(TARGET.cluster().port())) {
      String direct = TARGET.cluster().jdbcUrl(rig.name);
      String proxied =
          direct.replace(":" + TARGET.cluster().port() + "/", ":" + proxy.port() + "/");
      Files.writeString(rig.config, Files.readString(rig.config).replace(direct, proxied));
      rig.sql(
          Workload.TABLE, "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 500) g");
      try (SluiceProcess sluice = rig.run()) {
        FaultRig.awaitRunning(sluice);
        Workload workload = Workload.start(SOURCE.cluster(), rig.name, 11);
        try (Connection target = rig.pgTargetConnection()) {
          for (int cut = 1; cut <= 2; cut++) {
            long before = FaultRig.count(target, "t");
            FaultRig.await(
                () -> FaultRig.count(target, "t") > before,
                Duration.ofMinutes(2),
                () -> "rows on the PostgreSQL target through the proxy; log:\n" + sluice.log());
            proxy.cut(); // live connections dropped mid-batch, new ones refused
            FaultRig.awaitLog(sluice, "rule.paused [to-pg]", Duration.ofSeconds(60));
            Thread.sleep(5_000); // the network stays away a while, under load
            proxy.restore();
            FaultRig.await(
                () -> FaultRig.count(target, "t") > before + 50,
                Duration.ofMinutes(2),
                () -> "the rule applying again after the network returned; log:\n" + sluice.log());
          }
        } finally {
          workload.close();
        }
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(proxy.connections()).as("connections through the proxy").isGreaterThan(2);
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  private static Connection sqlite(FaultRig rig) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + rig.dir.resolve("lite.db"));
  }
}
