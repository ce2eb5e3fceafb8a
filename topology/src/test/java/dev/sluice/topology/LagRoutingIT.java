package dev.sluice.topology;

import static dev.sluice.topology.Clusters.await;
import static dev.sluice.topology.Clusters.node;
import static dev.sluice.topology.Clusters.serverPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.NodeConfig;
import dev.sluice.config.NodeRole;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import dev.sluice.topology.internal.Lsn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Measured lag and lag-aware routing over a real primary and two real streaming standbys. */
class LagRoutingIT {
  @RegisterExtension static final PostgresExtension PRIMARY = new PostgresExtension("lag-primary");

  static PostgresCluster one;
  static PostgresCluster two;

  @TempDir Path dir;

  @BeforeAll
  static void standbys() {
    PRIMARY.cluster().execute("CREATE TABLE work(id bigserial PRIMARY KEY, v text)");
    PRIMARY.cluster().execute("CREATE DATABASE mirror");
    one = PRIMARY.cluster().cloneStandby("lag-one");
    two = PRIMARY.cluster().cloneStandby("lag-two");
  }

  @AfterAll
  static void stopStandbys() {
    if (one != null) {
      one.close();
    }
    if (two != null) {
      two.close();
    }
  }

  private SluiceConfig config(String routing) throws Exception {
    return config(routing, "700ms");
  }

  private SluiceConfig config(String routing, String tolerance) throws Exception {
    return Clusters.config(
        dir,
        PRIMARY.cluster(),
        """
        targets:
          mirror: { url: "%s", user: postgres }
        rules:
          - { name: to-mirror, target: mirror }
        replicas:
          app:
            routing: %s
            hysteresis: 1s
            nodes:
              - { name: primary, role: master, url: "%s" }
              - { name: one, role: slave, url: "%s", lagTolerance: %s }
              - { name: two, role: slave, url: "%s", lagTolerance: %s }
              - { name: mirror, role: slave, fedBy: to-mirror, lagTolerance: 1MB }
        monitor: { poll: 100ms }
        """
            .formatted(
                PRIMARY.cluster().jdbcUrl("mirror"),
                routing,
                PRIMARY.cluster().jdbcUrl(),
                one.jdbcUrl(),
                tolerance,
                two.jdbcUrl(),
                tolerance));
  }

  @Test
  void lagIsMeasuredUnderAWriteWorkloadAndReadsRotateOverBothStandbys() throws Exception {
    List<NodeStatus> samples = new CopyOnWriteArrayList<>();
    try (Topology topology = Topology.start(config("round-robin"), AppliedPositions.NONE, e -> {});
        Clusters.Workload workload = new Clusters.Workload(PRIMARY.cluster(), "work")) {
      await(
          "both standbys up",
          Duration.ofSeconds(20),
          () -> topology.status("app").freshSlaves().equals(List.of("one", "two")));
      Instant until = Instant.now().plusSeconds(2);
      while (Instant.now().isBefore(until)) {
        samples.add(node(topology, "app", "one"));
        Thread.sleep(50);
      }
      DataSource reads = topology.readDataSource("app");
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ports.add(serverPort(reads));
      }
      assertThat(workload.rows()).isGreaterThan(50);
      assertThat(ports)
          .containsExactly(one.port(), two.port(), one.port(), two.port(), one.port(), two.port());
    }

    assertThat(samples)
        .allSatisfy(
            s -> {
              assertThat(s.state()).isEqualTo(NodeState.UP);
              assertThat(s.lagBytes()).isBetween(0L, 1L << 20);
              assertThat(s.lagMillis()).isBetween(0L, 700L);
              assertThat(s.probedAt()).isAfter(Instant.now().minusSeconds(5));
              assertThat(s.role()).isEqualTo(NodeRole.SLAVE);
              assertThat(s.host()).isEqualTo("127.0.0.1");
              assertThat(s.port()).isEqualTo(one.port());
              assertThat(s.database()).isEqualTo("postgres");
            });
  }

  @Test
  void aPausedStandbyTurnsStaleGetsNoReadsAndComesBackOnlyAfterTheHysteresis() throws Exception {
    List<TopologyEvent> events = new CopyOnWriteArrayList<>();
    try (Topology topology =
            Topology.start(config("round-robin"), AppliedPositions.NONE, events::add);
        Clusters.Workload workload = new Clusters.Workload(PRIMARY.cluster(), "work")) {
      await(
          "both standbys up",
          Duration.ofSeconds(20),
          () -> topology.status("app").freshSlaves().size() == 2);

      one.execute("SELECT pg_wal_replay_pause()");
      await(
          "one stale",
          Duration.ofSeconds(10),
          () -> node(topology, "app", "one").state() == NodeState.STALE);
      NodeStatus stale = node(topology, "app", "one");
      assertThat(stale.lagBytes()).isPositive();
      assertThat(stale.lagMillis()).isGreaterThan(700);
      assertThat(stale.detail()).contains("replay paused").contains("over its lagTolerance 700ms");
      Map<Integer, Integer> ports = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        ports.merge(serverPort(topology.readDataSource("app")), 1, Integer::sum);
      }
      assertThat(ports).containsOnlyKeys(two.port());
      assertThat(topology.route("app").node()).isEqualTo("two");

      two.execute("SELECT pg_wal_replay_pause()");
      await(
          "no fresh slave", Duration.ofSeconds(10), () -> topology.status("app").readsGoToMaster());
      RoutingDecision toMaster = topology.route("app");
      assertThat(toMaster.node()).isEqualTo("primary");
      assertThat(toMaster.role()).isEqualTo(NodeRole.MASTER);
      assertThat(toMaster.reason()).contains("no fresh slave").contains("one stale");
      assertThat(serverPort(topology.readDataSource("app"))).isEqualTo(PRIMARY.cluster().port());

      one.execute("SELECT pg_wal_replay_resume()");
      two.execute("SELECT pg_wal_replay_resume()");
      Instant backUnder =
          Clusters.awaitValue(
              "one catching up",
              Duration.ofSeconds(10),
              () ->
                  node(topology, "app", "one").state() == NodeState.CATCHING_UP
                      ? Instant.now()
                      : null);
      assertThat(topology.route("app").role()).isEqualTo(NodeRole.MASTER);
      await(
          "one up",
          Duration.ofSeconds(10),
          () -> node(topology, "app", "one").state() == NodeState.UP);
      assertThat(Duration.between(backUnder, Instant.now())).isGreaterThan(Duration.ofMillis(700));
      await(
          "reads back on the standbys",
          Duration.ofSeconds(10),
          () -> topology.route("app").role() == NodeRole.SLAVE);
      assertThat(workload.rows()).isPositive();
    }
    assertThat(events)
        .extracting(TopologyEvent::toString)
        .anyMatch(e -> e.startsWith("replica.state app/one: one is stale"))
        .anyMatch(e -> e.startsWith("replica.state app/one: one is catching-up"))
        .anyMatch(e -> e.startsWith("replica.state app/one: one is up"));
  }

  @Test
  void aCdcFedSlaveLagsByItsRulesAppliedPositionAndOldestUnappliedChange() throws Exception {
    AtomicReference<AppliedPosition> position = new AtomicReference<>();
    AppliedPositions applied =
        rule -> rule.equals("to-mirror") ? Optional.ofNullable(position.get()) : Optional.empty();
    try (Topology topology =
        Topology.start(config("least-lag"), applied, e -> {}, Topology.Options.oneShot())) {
      topology.probeNow();
      assertThat(node(topology, "app", "mirror").state()).isEqualTo(NodeState.STALE);
      assertThat(node(topology, "app", "mirror").detail()).contains("no applied position");

      long now =
          Lsn.parse((String) PRIMARY.cluster().queryValue("SELECT pg_current_wal_lsn()::text"));
      position.set(new AppliedPosition(now, null));
      topology.probeNow();
      NodeStatus caughtUp = node(topology, "app", "mirror");
      assertThat(caughtUp.state()).isEqualTo(NodeState.CATCHING_UP);
      assertThat(caughtUp.lagMillis()).isZero();
      assertThat(caughtUp.lagBytes()).isBetween(0L, 4096L);
      assertThat(caughtUp.fedBy()).isEqualTo("to-mirror");
      assertThat(caughtUp.database()).isEqualTo("mirror");

      PRIMARY
          .cluster()
          .execute("INSERT INTO work(v) SELECT repeat('y', 1000) FROM generate_series(1, 3000)");
      position.set(new AppliedPosition(now, Instant.now().minusSeconds(12)));
      topology.probeNow();
      NodeStatus behind = node(topology, "app", "mirror");
      assertThat(behind.state()).isEqualTo(NodeState.STALE);
      assertThat(behind.lagBytes()).isGreaterThan(1L << 20);
      assertThat(behind.lagMillis()).isBetween(12_000L, 20_000L);
    }
  }

  @Test
  void theWriteDataSourceGoesToTheMasterAndPoolUsageIsReported() throws Exception {
    try (Topology topology =
        Topology.start(
            config("random"), AppliedPositions.NONE, e -> {}, Topology.Options.oneShot())) {
      DataSource writes = topology.writeDataSource("app");
      try (Connection c = writes.getConnection()) {
        c.createStatement().execute("INSERT INTO work(v) VALUES ('through the write DataSource')");
        NodeStatus master = node(topology, "app", "primary");
        assertThat(master.pool().active()).isEqualTo(1);
        assertThat(master.pool().max()).isEqualTo(10);
        assertThat(serverPort(writes)).isEqualTo(PRIMARY.cluster().port());
      }
      assertThat(node(topology, "app", "primary").pool().active()).isZero();
      assertThat(node(topology, "app", "primary").pool().idle()).isEqualTo(2);
    }
  }

  @Test
  void aProbeRoundCostsOneSmallQueryPerNodeOverOneKeptOpenSessionEach() throws Exception {
    try (Topology topology =
        Topology.start(
            config("least-lag"), AppliedPositions.NONE, e -> {}, Topology.Options.oneShot())) {
      for (int i = 0; i < 20; i++) {
        topology.probeNow();
      }
      int rounds = 200;
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        topology.probeNow();
      }
      double millis = (System.nanoTime() - start) / 1e6 / rounds;
      System.out.printf(
          "one probe round (master, 2 standbys, 1 CDC-fed JDBC node): %.2f ms%n", millis);
      assertThat(millis).isLessThan(50);
      // connections of the probes on the master: the master's own, and the CDC-fed node's
      // (its target database lives on the same server); no new session per probe
      assertThat(
              PRIMARY
                  .cluster()
                  .queryLong(
                      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice-topology'"))
          .isEqualTo(2);
      assertThat(
              one.queryLong(
                  "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice-topology'"))
          .isEqualTo(1);
    }
  }

  @Test
  void anEmbeddingApplicationRemovesAddsAndReroutesNodesWithoutDroppingAConnectionInUse()
      throws Exception {
    List<TopologyEvent> events = new CopyOnWriteArrayList<>();
    try (Topology topology =
            Topology.start(config("least-lag", "60s"), AppliedPositions.NONE, events::add);
        Clusters.Workload workload = new Clusters.Workload(PRIMARY.cluster(), "work")) {
      await(
          "both standbys up",
          Duration.ofSeconds(20),
          () -> topology.status("app").freshSlaves().equals(List.of("one", "two")));
      DataSource reads = topology.readDataSource("app");
      NodeConfig oneConfig = topology.groupConfig("app").nodes().get(1);
      topology.removeNode("app", "two");
      Connection inUse = reads.getConnection();
      try {
        assertThat(currentPort(inUse)).isEqualTo(one.port());

        topology.removeNode("app", "one");

        assertThat(currentPort(inUse))
            .as("the connection in use still works")
            .isEqualTo(one.port());
        assertThat(serverPort(reads))
            .as("new reads go to the master")
            .isEqualTo(PRIMARY.cluster().port());
        assertThat(topology.route("app").reason()).startsWith("no fresh slave");
        assertThat(topology.status("app").nodes())
            .extracting(NodeStatus::name)
            .containsExactly("primary", "mirror");
        assertThat(routedSessions(one)).as("the pool of one drains, not drops").isEqualTo(1);
      } finally {
        inUse.close();
      }
      await("the pool of one closed", Duration.ofSeconds(10), () -> routedSessions(one) == 0);

      topology.addNode("app", oneConfig);
      await(
          "one fresh again",
          Duration.ofSeconds(20),
          () -> topology.status("app").freshSlaves().equals(List.of("one")));
      assertThat(serverPort(reads)).isEqualTo(one.port());

      topology.setRouting("app", RoutingStrategy.ROUND_ROBIN);
      assertThat(topology.route("app").reason()).startsWith("round-robin over 1 fresh slave");
      assertThat(topology.status("app").routing()).isEqualTo(RoutingStrategy.ROUND_ROBIN);
      assertThat(workload.rows()).isPositive();
    }

    assertThat(events)
        .filteredOn(e -> e.type() != TopologyEvent.Type.STATE)
        .extracting(e -> e.type().wireName() + " " + e.node())
        .containsSubsequence(
            "replica.removed two", "replica.removed one", "replica.added one", "routing.changed ");
  }

  @Test
  void whatARunningGroupCannotTakeIsRefusedAndChangesNothing() throws Exception {
    try (Topology topology =
        Topology.start(
            config("round-robin"), AppliedPositions.NONE, e -> {}, Topology.Options.oneShot())) {
      NodeConfig twin = topology.groupConfig("app").nodes().get(1);
      assertThatThrownBy(() -> topology.removeNode("app", "primary"))
          .isInstanceOf(SetupException.class)
          .hasMessage(
              "node 'primary' is the running master of group app: it cannot be removed; promote"
                  + " one of its slaves first");
      assertThatThrownBy(() -> topology.addNode("app", twin))
          .isInstanceOf(SetupException.class)
          .hasMessage("group app already has a node 'one'; remove it first");
      assertThatThrownBy(
              () ->
                  topology.addNode(
                      "app",
                      new NodeConfig(
                          "second",
                          NodeRole.MASTER,
                          one.jdbcUrl(),
                          null,
                          null,
                          null,
                          twin.lagTolerance())))
          .isInstanceOf(SetupException.class)
          .hasMessageStartingWith("node 'second' cannot join group app as master");
      assertThatThrownBy(
              () ->
                  topology.addNode(
                      "app",
                      new NodeConfig(
                          "fed",
                          NodeRole.SLAVE,
                          null,
                          null,
                          null,
                          "to-mirorr",
                          twin.lagTolerance())))
          .isInstanceOf(SetupException.class)
          .hasMessageContaining("fed by rule 'to-mirorr', which is not running")
          .hasMessageContaining("to-mirror");
      assertThatThrownBy(() -> topology.removeNode("app", "three"))
          .isInstanceOf(SetupException.class)
          .hasMessageContaining("group app has no node 'three'");
      assertThatThrownBy(() -> topology.setRouting("ap", RoutingStrategy.RANDOM))
          .isInstanceOf(SetupException.class)
          .hasMessageContaining("unknown group 'ap'");
      assertThat(topology.groupConfig("app").nodes())
          .extracting(NodeConfig::name)
          .containsExactly("primary", "one", "two", "mirror");
      assertThat(topology.groupConfig("app").routing()).isEqualTo(RoutingStrategy.ROUND_ROBIN);
    }
  }

  private static int currentPort(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('port')::int")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Sessions of the routing pools (not the probes) on a server. */
  private static long routedSessions(PostgresCluster server) {
    return server.queryLong(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sluice-app'");
  }
}
