package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresBinaries;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.topology.AppliedPositions;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.NodeStatus;
import dev.sluice.topology.PromotionRefusedException;
import dev.sluice.topology.PromotionResult;
import dev.sluice.topology.RejoinMethod;
import dev.sluice.topology.RejoinOptions;
import dev.sluice.topology.RejoinResult;
import dev.sluice.topology.ServerControl;
import dev.sluice.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The version matrix of replica groups: for every supported PostgreSQL major, a primary (the
 * capture source of a running sidecar) and a streaming standby of the same major. The standby's lag
 * is measured, reads are routed to it only while it is caught up, a promotion is refused while it
 * lags and done once it has caught up, and capture follows the new master: on 17 and 18 with the
 * failover slot synchronised to the standby (no gap), on 13 to 16, which have no failover slots, by
 * creating the slot there and re-reading the tables. The old master then rejoins as a standby of
 * the new one (copied over SQL: the bundles have no pg_rewind).
 */
class ReplicaMatrixIT {
  @TempDir Path dir;

  static Stream<Integer> majors() {
    return PostgresBinaries.MAJORS.stream();
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @MethodSource("majors")
  void aStandbyOfThisMajorIsMeasuredRoutedRefusedWhileBehindPromotedAndCaptureFollows(int major)
      throws Exception {
    boolean failoverSlots = major >= 17;
    try (PostgresCluster primary = PostgresCluster.start("replica-" + major, major, Map.of())) {
      primary.execute(
          "CREATE TABLE orders(id int PRIMARY KEY, v text)",
          "INSERT INTO orders SELECT g, 'before' FROM generate_series(1, 100) g");
      try (PostgresCluster standby = standbyOf(primary, failoverSlots)) {
        SluiceConfig config = config(primary, standby);
        try (Sidecar sidecar =
            Sidecar.start(config, new MetricRegistry(), Sidecar.Listeners.NONE)) {
          Path target = dir.resolve("copy.db");
          await("the snapshot on the target", () -> count(target) == 100);
          primary.execute(
              "INSERT INTO orders SELECT g, 'streamed' FROM generate_series(101, 200) g");
          await("the streamed rows on the target", () -> count(target) == 200);

          try (Topology topology = oneShot(config)) {
            await("the standby caught up", () -> lagBytes(topology) == 0);
            assertThat(standbyStatus(topology).state()).isEqualTo(NodeState.UP);
            assertThat(topology.route("app").node()).isEqualTo("standby");

            standby.execute("SELECT pg_wal_replay_pause()");
            primary.execute(
                "INSERT INTO orders SELECT g, repeat('z', 500) FROM generate_series(1001, 3000) g");
            topology.probeNow();
            NodeStatus behind = standbyStatus(topology);
            assertThat(behind.lagBytes()).as(behind.toString()).isGreaterThan(500_000);
            assertThat(behind.state()).isNotEqualTo(NodeState.UP);
            assertThat(behind.detail()).contains("replay pause");
            assertThat(topology.route("app").node())
                .as("reads go to the master")
                .isEqualTo("primary");
            assertThatThrownBy(() -> topology.promote("app", "standby", false))
                .isInstanceOf(PromotionRefusedException.class)
                .hasMessageContaining("refusing to promote standby")
                .hasMessageContaining("is writable again");
            primary.execute("INSERT INTO orders VALUES (3001, 'the master still writes')");
            standby.execute("SELECT pg_wal_replay_resume()");
            await("the standby caught up again", () -> lagBytes(topology) == 0);
            assertThat(topology.route("app").node()).isEqualTo("standby");
          }
          await(
              "the rows written while the standby lagged on the target",
              () -> count(target) == 2201);
          if (failoverSlots) {
            awaitSlotSynchronised(primary, standby);
          }

          PromotionResult promoted;
          try (Topology topology = oneShot(config)) {
            topology.probeNow();
            promoted = topology.promote("app", "standby", false);
          }
          assertThat(promoted.lagBytes()).isZero();
          assertThat(promoted.capture().sourceMoved()).isTrue();
          assertThat(promoted.capture().resumesWithoutGap())
              .as(promoted.capture().advice())
              .isEqualTo(failoverSlots);
          if (!failoverSlots) {
            assertThat(promoted.capture().advice())
                .contains(
                    "PostgreSQL "
                        + major
                        + " does not synchronise logical slots to standbys (failover slots are"
                        + " PostgreSQL 17 and newer)");
          }
          assertThat(promoted.warnings()).isEmpty();

          standby.execute(
              "INSERT INTO orders SELECT g, 'on the new master' FROM generate_series(201, 300) g",
              "UPDATE orders SET v = 'updated on the new master' WHERE id <= 10");
          await(
              "every change on the new master on the target",
              () ->
                  count(target) == 2301 && count(target, "v = 'updated on the new master'") == 10);
          await(
              "capture streaming on the new master",
              () -> sidecar.captureStatus().state().name().equals("STREAMING"));
          assertThat(sidecar.captureStatus().sourceVersion()).startsWith(major + ".");
          assertThat(sidecar.failure()).isNotDone();

          RejoinResult rejoined = rejoin(config, primary);
          assertThat(rejoined.method()).isEqualTo(RejoinMethod.SQL_CLONE);
          standby.execute("INSERT INTO orders VALUES (301, 'after the rejoin')");
          await(
              "the old master replays the new master's writes",
              () ->
                  primary.queryLong("SELECT count(*) FROM orders WHERE v = 'after the rejoin'")
                      == 1);
          await("the last row on the target", () -> count(target) == 2302);
        }
      }
    }
  }

  /**
   * A standby cloned from the primary; on 17+ set up for failover slots: its own physical slot on
   * the primary, named in {@code synchronized_standby_slots}, {@code sync_replication_slots} on,
   * and a {@code dbname} in its {@code primary_conninfo}.
   */
  private static PostgresCluster standbyOf(PostgresCluster primary, boolean failoverSlots) {
    String name = "replica-standby-" + primary.major();
    if (!failoverSlots) {
      return primary.cloneStandby(name);
    }
    primary.execute("SELECT pg_create_physical_replication_slot('matrix_standby', true)");
    PostgresCluster standby =
        primary.cloneStandby(
            name,
            Map.of(
                "primary_slot_name", "'matrix_standby'",
                "sync_replication_slots", "on",
                "primary_conninfo",
                    "'host=127.0.0.1 port="
                        + primary.port()
                        + " user=postgres dbname=postgres application_name="
                        + name
                        + "'"));
    // a copied data directory carries the primary's slots; a base backup would not
    standby.execute("SELECT pg_drop_replication_slot('matrix_standby')");
    primary.execute(
        "ALTER SYSTEM SET synchronized_standby_slots = 'matrix_standby'",
        "SELECT pg_reload_conf()");
    return standby;
  }

  /** Waits until the standby holds a persistent copy of capture's failover slot. */
  private static void awaitSlotSynchronised(PostgresCluster primary, PostgresCluster standby)
      throws InterruptedException {
    await(
        "the capture slot synchronised to the standby",
        () -> {
          primary.execute(
              "INSERT INTO orders VALUES (100000, 'nudge') ON CONFLICT (id) DO UPDATE SET v ="
                  + " excluded.v",
              "DELETE FROM orders WHERE id = 100000",
              "SELECT pg_log_standby_snapshot()");
          return Boolean.TRUE.equals(
              standby.queryValue(
                  "SELECT coalesce(bool_or(synced AND NOT temporary), false)"
                      + " FROM pg_replication_slots WHERE slot_name = 'matrix'"));
        });
  }

  private SluiceConfig config(PostgresCluster primary, PostgresCluster standby) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source: { url: "%1$s", slot: matrix, tables: [public.orders], heartbeat: 500ms }
        journal: { dir: journal }
        targets:
          copy: { url: "jdbc:sqlite:./copy.db" }
        rules:
          - { name: to-copy, target: copy, batch: { maxDelay: 20ms } }
        replicas:
          app:
            hysteresis: 0s
            nodes:
              - { name: primary, role: master, url: "%1$s" }
              - { name: standby, role: slave, url: "%2$s", lagTolerance: 0 }
        monitor: { port: 0, poll: 200ms }
        state: ./state/sluice-state.json
        """
            .formatted(primary.jdbcUrl(), standby.jdbcUrl()));
    return new ConfigLoader(Map.of()).load(file);
  }

  /** What {@code sluice promote} and {@code sluice rejoin} use: a topology of their own. */
  private static Topology oneShot(SluiceConfig config) {
    return Topology.start(config, AppliedPositions.NONE, event -> {}, Topology.Options.oneShot());
  }

  private static NodeStatus standbyStatus(Topology topology) {
    return topology.status("app").nodes().stream()
        .filter(n -> n.name().equals("standby"))
        .findFirst()
        .orElseThrow();
  }

  private static long lagBytes(Topology topology) {
    topology.probeNow();
    return standbyStatus(topology).lagBytes();
  }

  private static RejoinResult rejoin(SluiceConfig config, PostgresCluster old) {
    ServerControl testkit =
        new ServerControl() {
          @Override
          public void stop(Path dataDir) {
            old.stop();
          }

          @Override
          public void start(Path dataDir) {
            old.startServer();
          }
        };
    try (Topology topology = oneShot(config)) {
      return topology.rejoin("app", "primary", RejoinOptions.of(old.dataDir()).withServer(testkit));
    }
  }

  private static long count(Path sqlite) {
    return count(sqlite, "true");
  }

  private static long count(Path sqlite, String where) {
    if (!Files.exists(sqlite)) {
      return -1;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE " + where)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (Exception e) { // the table is not there yet
      return -1;
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
