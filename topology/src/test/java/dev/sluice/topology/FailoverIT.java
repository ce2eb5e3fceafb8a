package dev.sluice.topology;

import static dev.sluice.topology.Clusters.await;
import static dev.sluice.topology.Clusters.node;
import static dev.sluice.topology.Clusters.serverPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.NodeRole;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary and a streaming standby set up for PostgreSQL 17 failover slots: a refused promotion, a
 * promotion, the capture slot on the new master, and the old master's rejoin. The tests build on
 * each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
  @RegisterExtension
  static final PostgresExtension PRIMARY = new PostgresExtension("failover-primary");

  @TempDir static Path dir;
  static PostgresCluster standby;
  static SluiceConfig config;
  static final List<TopologyEvent> EVENTS = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void primaryWithAFailoverSlotSynchronisedToItsStandby() throws Exception {
    PostgresCluster primary = PRIMARY.cluster();
    primary.execute(
        "CREATE TABLE orders(id bigserial PRIMARY KEY, v text)",
        "CREATE PUBLICATION sluice FOR TABLE orders",
        "SELECT pg_create_physical_replication_slot('failover_standby', true)");
    standby =
        primary.cloneStandby(
            "failover-standby",
            Map.of(
                "primary_slot_name", "'failover_standby'",
                "sync_replication_slots", "on",
                "primary_conninfo",
                    "'host=127.0.0.1 port="
                        + primary.port()
                        + " user=postgres dbname=postgres application_name=failover-standby'"));
    // a copied data directory carries the primary's slots; a base backup would not
    standby.execute("SELECT pg_drop_replication_slot('failover_standby')");
    primary.execute(
        "ALTER SYSTEM SET synchronized_standby_slots = 'failover_standby'",
        "SELECT pg_reload_conf()",
        "SELECT pg_create_logical_replication_slot('sluice', 'pgoutput', false, false, true)");
    // what capture's progress does: the slot advances past the standby's position, so the
    // standby's synchronised copy becomes persistent
    await(
        "the slot synchronised to the standby",
        Duration.ofSeconds(60),
        () -> {
          primary.execute(
              "INSERT INTO orders(v) VALUES ('before')",
              "SELECT pg_log_standby_snapshot()",
              "SELECT pg_replication_slot_advance('sluice', pg_current_wal_lsn())");
          return Boolean.TRUE.equals(
              standby.queryValue(
                  "SELECT synced AND NOT temporary FROM pg_replication_slots WHERE slot_name = 'sluice'"));
        });
    config =
        Clusters.config(
            dir,
            primary,
            """
            replicas:
              app:
                routing: round-robin
                hysteresis: 0s
                nodes:
                  - { name: primary, role: master, url: "%s" }
                  - { name: standby, role: slave, url: "%s", lagTolerance: 0 }
            monitor: { poll: 200ms }
            """
                .formatted(primary.jdbcUrl(), standby.jdbcUrl()));
  }

  @AfterAll
  static void stopStandby() {
    if (standby != null) {
      standby.close();
    }
  }

  private static Topology topology() {
    return Topology.start(config, AppliedPositions.NONE, EVENTS::add, Topology.Options.oneShot());
  }

  @Test
  @Order(1)
  void promotionIsRefusedWhileTheStandbyLagsAndTheMasterStaysWritable() {
    standby.execute("SELECT pg_wal_replay_pause()");
    PRIMARY
        .cluster()
        .execute("INSERT INTO orders(v) SELECT repeat('z', 500) FROM generate_series(1, 2000)");
    try (Topology topology = topology()) {
      assertThatThrownBy(() -> topology.promote("app", "standby", false))
          .isInstanceOfSatisfying(
              PromotionRefusedException.class, e -> assertThat(e.lagBytes()).isGreaterThan(500_000))
          .hasMessageContaining("refusing to promote standby")
          .hasMessageMatching("(?s).*it is [0-9.]+ [KM]B \\([0-9]+ bytes\\) and .* behind.*")
          .hasMessageContaining("over its lagTolerance 0 (it must have replayed everything")
          .hasMessageContaining("is writable again")
          .hasMessageContaining("--force");
      assertThat(Files.exists(topology.rolesFile())).isFalse();
    } finally {
      standby.execute("SELECT pg_wal_replay_resume()");
    }
    PRIMARY.cluster().execute("INSERT INTO orders(v) VALUES ('still writable')");
    assertThat(PRIMARY.cluster().queryValue("SHOW default_transaction_read_only")).isEqualTo("off");
    assertThat(EVENTS)
        .extracting(TopologyEvent::message)
        .anyMatch(m -> m.startsWith("primary fenced: read-only"))
        .anyMatch(m -> m.startsWith("primary unfenced"));
  }

  @Test
  @Order(2)
  void aCaughtUpStandbyIsPromotedTheOldMasterFencedAndTheCaptureSlotFollows() throws Exception {
    PostgresCluster primary = PRIMARY.cluster();
    await(
        "the standby caught up",
        Duration.ofSeconds(30),
        () ->
            Boolean.TRUE.equals(
                standby.queryValue(
                    "SELECT pg_last_wal_replay_lsn() >= '"
                        + primary.queryValue("SELECT pg_current_wal_lsn()")
                        + "'")));
    EVENTS.clear();
    try (Topology topology = topology();
        Topology running =
            Topology.start(
                config, AppliedPositions.NONE, EVENTS::add, Topology.Options.oneShot())) {
      assertThat(running.sourceUrl()).isEqualTo(primary.jdbcUrl());
      Connection before = topology.writeDataSource("app").getConnection();
      PromotionResult result = topology.promote("app", "standby", false);
      System.out.println("promotion took " + result.took().toMillis() + " ms: " + result);

      assertThat(result.fencing()).isEqualTo(Fencing.READ_ONLY);
      assertThat(result.lagBytes()).isZero();
      assertThat(result.forced()).isFalse();
      assertThat(result.warnings()).isEmpty();
      CaptureHandover capture = result.capture();
      assertThat(capture.sourceMoved()).isTrue();
      assertThat(capture.newSourceUrl()).isEqualTo(standby.jdbcUrl());
      assertThat(capture.slotPresent()).isTrue();
      assertThat(capture.slotSynchronized()).isTrue();
      assertThat(capture.slotConfirmedFlushLsn()).isNotNull();
      assertThat(capture.resumesWithoutGap()).isTrue();
      assertThat(capture.advice()).contains("resume capture on standby");

      // sessions on the old master were ended, and new ones cannot write
      assertThatThrownBy(() -> before.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
      before.close();
      assertThatThrownBy(() -> primary.execute("INSERT INTO orders(v) VALUES ('split brain')"))
          .hasMessageContaining("read-only transaction");

      // writes go to the new master
      assertThat(serverPort(topology.writeDataSource("app"))).isEqualTo(standby.port());
      try (Connection c = topology.writeDataSource("app").getConnection();
          Statement st = c.createStatement()) {
        st.execute("INSERT INTO orders(v) VALUES ('on the new master')");
      }
      assertThat(topology.status("app").master()).isEqualTo("standby");
      assertThat(node(topology, "app", "primary").role()).isEqualTo(NodeRole.SLAVE);
      assertThat(node(topology, "app", "primary").detail()).contains("not in recovery");
      assertThat(topology.route("app").node()).isEqualTo("standby");

      // another topology (a running sidecar) notices the roles file at its next probe
      running.probeNow();
      assertThat(running.status("app").master()).isEqualTo("standby");
      assertThat(running.sourceUrl()).isEqualTo(standby.jdbcUrl());
      assertThat(serverPort(running.writeDataSource("app"))).isEqualTo(standby.port());
    }
    // the failover slot is on the new master and decodes what it writes
    assertThat(
            standby.query(
                "SELECT synced, failover, invalidation_reason FROM pg_replication_slots"
                    + " WHERE slot_name = 'sluice'"))
        .containsExactly(java.util.Arrays.asList(true, true, null));
    assertThat(
            standby.queryLong(
                "SELECT count(*) FROM pg_logical_slot_peek_binary_changes('sluice', NULL, NULL,"
                    + " 'proto_version', '1', 'publication_names', 'sluice')"))
        .isPositive();
    assertThat(EVENTS)
        .extracting(TopologyEvent::toString)
        .anyMatch(e -> e.startsWith("replica.state app/primary: primary fenced"))
        .anyMatch(e -> e.startsWith("replica.promoted app/standby: standby is the master"))
        .anyMatch(e -> e.startsWith("replica.removed app/primary"))
        .anyMatch(e -> e.contains("recorded by another process in topology-roles.json"));
  }

  @Test
  @Order(3)
  void theRunningRolesSurviveARestartAndCaptureIsToldItsNewSource() throws Exception {
    try (Topology topology = topology()) {
      topology.probeNow();
      assertThat(topology.sourceUrl()).isEqualTo(standby.jdbcUrl());
      assertThat(topology.status("app").master()).isEqualTo("standby");
      assertThat(node(topology, "app", "primary").configuredRole()).isEqualTo(NodeRole.MASTER);
      assertThat(node(topology, "app", "primary").role()).isEqualTo(NodeRole.SLAVE);
      assertThat(Files.readString(topology.rolesFile()))
          .contains("\"master\" : \"standby\"")
          .contains("\"previousMaster\" : \"primary\"")
          .doesNotContain("password");
      assertThatThrownBy(() -> topology.promote("app", "standby", false))
          .isInstanceOf(SetupException.class)
          .hasMessageContaining("'standby' is already the master of group app");
    }
  }

  @Test
  @Order(4)
  void theOldMasterRejoinsAsAStandbyAndReplaysNewWrites() throws Exception {
    PostgresCluster primary = PRIMARY.cluster();
    standby.execute("INSERT INTO orders(v) VALUES ('written while the old master was away')");
    ServerControl testkit =
        new ServerControl() {
          @Override
          public void stop(Path dataDir) {
            primary.stop();
          }

          @Override
          public void start(Path dataDir) {
            primary.startServer();
          }
        };
    EVENTS.clear();
    try (Topology topology = topology()) {
      RejoinResult result =
          topology.rejoin(
              "app", "primary", RejoinOptions.of(primary.dataDir()).withServer(testkit));
      System.out.println("rejoin: " + result);

      assertThat(result.method()).isIn(RejoinMethod.SQL_CLONE, RejoinMethod.REWIND);
      assertThat(result.started()).isTrue();
      assertThat(result.master()).isEqualTo("standby");
      assertThat(primary.queryValue("SELECT pg_is_in_recovery()")).isEqualTo(true);
      assertThat(primary.queryValue("SHOW default_transaction_read_only")).isEqualTo("off");
      assertThat(
              primary.queryLong(
                  "SELECT count(*) FROM orders WHERE v = 'written while the old master was away'"))
          .isEqualTo(1);

      standby.execute("INSERT INTO orders(v) VALUES ('after the rejoin')");
      await(
          "the rejoined node replays new writes",
          Duration.ofSeconds(30),
          () -> primary.queryLong("SELECT count(*) FROM orders WHERE v = 'after the rejoin'") == 1);
      assertThat(
              standby.queryValue(
                  "SELECT active FROM pg_replication_slots WHERE slot_name = 'sluice_primary'"))
          .isEqualTo(true);
      topology.probeNow();
      NodeStatus rejoined = node(topology, "app", "primary");
      assertThat(rejoined.role()).isEqualTo(NodeRole.SLAVE);
      assertThat(rejoined.state()).isIn(NodeState.UP, NodeState.CATCHING_UP);
      await(
          "reads reach the rejoined node",
          Duration.ofSeconds(10),
          () -> {
            topology.probeNow();
            return topology.status("app").freshSlaves().contains("primary");
          });
      assertThat(serverPort(topology.readDataSource("app"))).isEqualTo(primary.port());
    }
    assertThat(EVENTS)
        .extracting(TopologyEvent::toString)
        .anyMatch(e -> e.startsWith("replica.rejoined app/primary: primary rejoined as a standby"));
  }
}
