package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.apply.ApplyEvent;
import dev.sluice.apply.RuleState;
import dev.sluice.apply.RuleStatus;
import dev.sluice.capture.CaptureEvent;
import dev.sluice.capture.CaptureStatus;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.Dialect;
import dev.sluice.config.NodeRole;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.config.RuleMode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalStats;
import dev.sluice.monitor.ActivityFeed;
import dev.sluice.monitor.NodeView;
import dev.sluice.monitor.ReplicaGroupView;
import dev.sluice.monitor.RuleView;
import dev.sluice.monitor.Snapshot;
import dev.sluice.monitor.StateFile;
import dev.sluice.topology.AppliedPositions;
import dev.sluice.topology.GroupStatus;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.NodeStatus;
import dev.sluice.topology.PoolUsage;
import dev.sluice.topology.RoutingDecision;
import dev.sluice.topology.Topology;
import dev.sluice.topology.TopologyEvent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor of a sidecar, fed from capture and journal statuses and a real configuration. */
class MonitorWiringTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SECRETS =
      List.of(
          "src-pass-K9x",
          "url-pass-Q2w",
          "tgt-pass-M4v",
          "mongo-pass-Z7y",
          "node-pass-P3r",
          "tok-Wiring-5s");

  @TempDir Path dir;

  private SluiceConfig config() throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source:
          url: jdbc:postgresql://127.0.0.1:5432/app?password=src-pass-K9x
          user: sluice
          password: src-pass-K9x
        journal: { dir: ./journal, retention: 3d }
        targets:
          mirror: { url: "jdbc:postgresql://sluice:url-pass-Q2w@10.0.0.2:5432/app", user: sluice, password: tgt-pass-M4v }
          analytics: { url: "mongodb://app:mongo-pass-Z7y@127.0.0.1:27017/analytics" }
        rules:
          - { name: pg-to-mirror, target: mirror }
          - { name: pg-to-mongo, target: analytics }
        replicas:
          app:
            routing: least-lag
            nodes:
              - { name: primary, role: master, url: "jdbc:postgresql://10.0.0.1:5432/app", user: sluice, password: node-pass-P3r }
              - { name: mirror, role: slave, fedBy: pg-to-mirror, lagTolerance: 16MB }
        monitor: { port: 0, token: tok-Wiring-5s, poll: 100ms }
        state: ./state.json
        """);
    return new ConfigLoader(Map.of()).load(file);
  }

  private static CaptureStatus streaming(String error) {
    return new CaptureStatus(
        CaptureStatus.State.STREAMING,
        "13.22",
        "sluice",
        "sluice",
        3,
        "0/16B3748",
        24_576,
        0x16B3800L,
        Instant.parse("2026-11-22T03:00:00Z"),
        42,
        1,
        12.5,
        Instant.parse("2026-11-22T02:00:00Z"),
        error,
        List.of(),
        null);
  }

  @Test
  void captureAndJournalStatusesBecomeTheViewModel() throws Exception {
    SluiceConfig config = config();
    Snapshot snapshot =
        MonitorWiring.snapshot(
            config,
            streaming(null),
            new JournalStats(
                JournalPosition.parse("20779:0"), JournalPosition.parse("20779:41"), 8192, 1),
            List.of(),
            List.of(),
            Instant.parse("2026-11-22T03:00:01Z"));
    assertThat(snapshot.poll()).isEqualTo(Duration.ofMillis(100));
    assertThat(snapshot.pipeline().capture().state()).isEqualTo("streaming");
    assertThat(snapshot.pipeline().capture().sourceVersion()).isEqualTo("13.22");
    assertThat(snapshot.pipeline().capture().lastLsn()).isEqualTo("0/16B3800");
    assertThat(snapshot.pipeline().capture().eventsTotal()).isEqualTo(42);
    assertThat(snapshot.pipeline().journal().firstPosition()).isEqualTo("20779:0");
    assertThat(snapshot.pipeline().journal().lastPosition()).isEqualTo("20779:41");
    assertThat(snapshot.pipeline().journal().retention()).isEqualTo("3d");
    assertThat(snapshot.health().ok()).isTrue();
    Snapshot empty =
        MonitorWiring.snapshot(
            config,
            streaming(null),
            new JournalStats(JournalPosition.NONE, JournalPosition.NONE, 0, 0),
            List.of(),
            List.of(),
            Instant.now());
    assertThat(empty.pipeline().journal().lastPosition()).isNull();
  }

  @Test
  void aFailedCaptureMakesTheSnapshotUnhealthy() throws Exception {
    CaptureStatus failed =
        new CaptureStatus(
            CaptureStatus.State.FAILED,
            "18.1",
            "sluice",
            "sluice",
            3,
            null,
            -1,
            0,
            null,
            0,
            0,
            0,
            Instant.now(),
            "the slot was dropped",
            List.of(),
            null);
    Snapshot snapshot =
        MonitorWiring.snapshot(
            config(),
            failed,
            new JournalStats(JournalPosition.NONE, JournalPosition.NONE, 0, 0),
            List.of(),
            List.of(),
            Instant.now());
    assertThat(snapshot.health().reasons()).containsExactly("capture failed: the slot was dropped");
    assertThat(snapshot.pipeline().capture().lastLsn()).isNull();
  }

  @Test
  void captureEventsBecomeActivityEventsAboutCapture() {
    Instant time = Instant.parse("2026-11-22T03:00:00Z");
    assertThat(MonitorWiring.activity(new CaptureEvent(time, "snapshot.done", "3 tables")))
        .isEqualTo(
            new dev.sluice.monitor.ActivityEvent(time, "snapshot.done", "capture", "3 tables"));
  }

  @Test
  void noSecretOfTheConfigurationReachesAResponseOrTheStateFile() throws Exception {
    SluiceConfig config = config();
    ActivityFeed feed = new ActivityFeed();
    String leaky = "cannot reach jdbc:postgresql://sluice:url-pass-Q2w@10.0.0.2:5432/app";
    feed.publish(MonitorWiring.activity(new CaptureEvent(Instant.now(), "capture.error", leaky)));
    StringBuilder everything = new StringBuilder();
    try (Topology topology =
            Topology.start(config, AppliedPositions.NONE, event -> {}, Topology.Options.oneShot());
        MonitorWiring wiring =
            MonitorWiring.start(
                config,
                new MetricRegistry(),
                feed,
                () -> streaming(leaky),
                () -> new JournalStats(JournalPosition.NONE, JournalPosition.NONE, 0, 0),
                List::of,
                topology)) {
      HttpClient client = HttpClient.newHttpClient();
      for (String path :
          List.of(
              "/",
              "/api/health",
              "/api/pipeline",
              "/api/rules",
              "/api/replicas",
              "/api/routing",
              "/api/events",
              "/api/snapshot",
              "/metrics",
              "/api/routing/app/read")) {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(wiring.uri().resolve(path))
                    .header("Authorization", "Bearer tok-Wiring-5s")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isIn(200, 404);
        everything.append(response.headers().map()).append(response.body());
      }
      HttpResponse<String> unauthorized =
          client.send(
              HttpRequest.newBuilder(wiring.uri().resolve("/api/pipeline")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(unauthorized.statusCode()).isEqualTo(401);
      everything.append(unauthorized.body());
      awaitFile(config.state());
    }
    String state = Files.readString(config.state());
    everything.append(state);
    assertThat(everything).contains("cannot reach", "<masked>");
    for (String secret : SECRETS) {
      assertThat(everything.toString()).as(secret).doesNotContain(secret);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.state())))
        .isEqualTo("rw-------");
    JsonNode written = JSON.readTree(state);
    assertThat(written.get("snapshot").get("pipeline").get("capture").get("eventsTotal").asLong())
        .isEqualTo(42);
    assertThat(StateFile.read(config.state()).events()).hasSize(1);
  }

  @Test
  void aBurstOfEventsWhileTheStateFileIsBeingWrittenQueuesOneMoreWriteAtMost() throws Exception {
    SluiceConfig config = config();
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (Topology topology =
            Topology.start(config, AppliedPositions.NONE, event -> {}, Topology.Options.oneShot());
        MonitorWiring wiring =
            MonitorWiring.start(
                config,
                new MetricRegistry(),
                new ActivityFeed(),
                () -> {
                  writing.countDown(); // the first write (at start) waits here
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return streaming(null);
                },
                () -> new JournalStats(JournalPosition.NONE, JournalPosition.NONE, 0, 0),
                List::of,
                topology)) {
      try {
        assertThat(writing.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (int event = 0; event < 10_000; event++) {
          wiring.writeStateSoon();
        }
        // the next periodic write, and one write for the whole burst
        assertThat(wiring.queuedStateWrites()).isLessThanOrEqualTo(2);
      } finally {
        release.countDown();
      }
    }
  }

  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(file).exists();
  }

  @Test
  void aRuleStatusBecomesARuleViewWithEveryOperationCountedAndItsStateInWords() {
    RuleStatus status =
        new RuleStatus(
            "pg-to-mongo",
            "mongo",
            Dialect.MONGODB,
            RuleMode.MIRROR,
            RuleState.SYNCING,
            JournalPosition.parse("20779:41"),
            0x16B3800L,
            Instant.parse("2026-11-22T03:00:00Z"),
            7,
            4096,
            1.5,
            250.0,
            Map.of("update", 3L, "insert", 10L),
            1,
            2,
            "cannot connect to jdbc:postgresql://db/x?password=hunter2",
            new RuleStatus.Sync("snapshot", Instant.parse("2026-11-22T02:59:00Z"), null, 10),
            Map.of("public.orders", 4L));
    RuleView view = MonitorWiring.ruleView(status);
    assertThat(view.state()).isEqualTo("snapshotting");
    assertThat(view.dialect()).isEqualTo("mongodb");
    assertThat(view.mode()).isEqualTo("mirror");
    assertThat(view.appliedPosition()).isEqualTo("20779:41");
    assertThat(view.appliedLsn()).isEqualTo("0/16B3800");
    assertThat(view.totalsByOp())
        .containsExactly(
            Map.entry("insert", 10L),
            Map.entry("update", 3L),
            Map.entry("delete", 0L),
            Map.entry("truncate", 0L),
            Map.entry("read", 0L));
    assertThat(view.lastError()).doesNotContain("hunter2");
    assertThat(view.lastSyncKind()).isEqualTo("snapshot");
    assertThat(view.missingRows()).isEqualTo(1);
    assertThat(view.deadLetters()).isEqualTo(2);
    assertThat(view.conflicts()).containsExactly(Map.entry("public.orders", 4L));
    assertThat(view.lastSyncFinish()).isNull();
    RuleStatus retrying =
        new RuleStatus(
            "r",
            "t",
            Dialect.SQLITE,
            RuleMode.CDC,
            RuleState.RETRYING,
            JournalPosition.NONE,
            0,
            null,
            0,
            0,
            0,
            0,
            Map.of(),
            0,
            0,
            null,
            null,
            Map.of());
    assertThat(MonitorWiring.ruleView(retrying).state()).isEqualTo("paused");
    assertThat(MonitorWiring.ruleView(retrying).appliedPosition()).isNull();
  }

  @Test
  void aReplicaGroupBecomesAViewWithTheMasterFirstAndWhereReadsGo() {
    Instant probed = Instant.parse("2026-11-22T03:00:00Z");
    NodeStatus slave =
        new NodeStatus(
            "app",
            "replica-1",
            NodeRole.SLAVE,
            NodeRole.SLAVE,
            Dialect.POSTGRESQL,
            null,
            NodeState.CATCHING_UP,
            8192,
            120,
            probed,
            new PoolUsage(1, 2, 10),
            "10.0.0.2",
            5432,
            "shop",
            "");
    NodeStatus master =
        new NodeStatus(
            "app",
            "primary",
            NodeRole.MASTER,
            NodeRole.MASTER,
            Dialect.POSTGRESQL,
            null,
            NodeState.UP,
            0,
            0,
            probed,
            null,
            "10.0.0.1",
            5432,
            "shop",
            "");
    GroupStatus group =
        new GroupStatus(
            "app",
            RoutingStrategy.LEAST_LAG,
            Duration.ofSeconds(10),
            "primary",
            List.of(),
            true,
            List.of(slave, master));
    ReplicaGroupView view =
        MonitorWiring.groupView(
            group,
            new RoutingDecision(
                "app", "primary", NodeRole.MASTER, "10.0.0.1", 5432, "shop", "no fresh slave"));
    assertThat(view.routing()).isEqualTo("least-lag");
    assertThat(view.nodes()).extracting(NodeView::name).containsExactly("primary", "replica-1");
    assertThat(view.node("replica-1").orElseThrow().state()).isEqualTo("catching-up");
    assertThat(view.node("replica-1").orElseThrow().poolActive()).isEqualTo(1);
    assertThat(view.node("replica-1").orElseThrow().lastError()).isNull();
    assertThat(view.readNode()).isEqualTo("primary");
    assertThat(view.readReason()).isEqualTo("no fresh slave");
    assertThat(MonitorWiring.groupView(group, null).readNode()).isNull();
  }

  @Test
  void ruleAndReplicaEventsBecomeActivityEventsAboutTheirSubject() {
    Instant time = Instant.parse("2026-11-22T03:00:00Z");
    assertThat(MonitorWiring.activity(new ApplyEvent(time, "rule.error", "to-pg", "boom")))
        .isEqualTo(new dev.sluice.monitor.ActivityEvent(time, "rule.error", "to-pg", "boom"));
    assertThat(
            MonitorWiring.activity(
                new TopologyEvent(
                    TopologyEvent.Type.PROMOTED, time, "app", "standby-1", "standby-1 is master")))
        .isEqualTo(
            new dev.sluice.monitor.ActivityEvent(
                time, "replica.promoted", "app/standby-1", "standby-1 is master"));
  }
}
