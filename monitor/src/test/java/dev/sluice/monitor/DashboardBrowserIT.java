package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.Secret;
import dev.sluice.testkit.Chromium;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium, against a real server with a token, fed by a real
 * activity feed and snapshots whose lag moves. Screenshots go to {@code monitor/target/}.
 */
class DashboardBrowserIT {
  private static final String TOKEN = "dashboard-test-token";
  private static final Path TARGET = Path.of("target");

  private final ActivityFeed feed = new ActivityFeed();
  private final Instant started = Instant.now();
  private final java.util.concurrent.atomic.AtomicBoolean changedAtRunTime =
      new java.util.concurrent.atomic.AtomicBoolean();
  private MonitorServer server;
  private Chromium chromium;

  /** Healthy figures, with the lag of the rules and replicas moving over time. */
  private Snapshot moving() {
    double t = Duration.between(started, Instant.now()).toMillis() / 1000.0;
    Snapshot base = SampleSnapshots.healthy();
    RuleView mongo = SampleSnapshots.rule("pg-to-mongo", "running", 0.4 + 0.3 * Math.sin(t), null);
    RuleView mirror =
        SampleSnapshots.rule("pg-to-mirror", "running", 2.5 + 2 * Math.cos(t / 2), null);
    RuleView audit =
        SampleSnapshots.rule(
            "audit-to-sqlite", "failed", 75 + t, "target refused: table audit is locked");
    ReplicaGroupView group = SampleSnapshots.group();
    List<NodeView> nodes =
        group.nodes().stream()
            .map(
                n ->
                    n.role().equals("master")
                        ? n
                        : new NodeView(
                            n.name(),
                            n.role(),
                            n.dialect(),
                            n.state(),
                            (long) (n.lagBytes() * (1.2 + Math.sin(t + n.name().length()))),
                            n.lagMillis(),
                            Instant.now(),
                            n.fedBy(),
                            n.poolActive(),
                            n.poolIdle(),
                            n.poolMax(),
                            n.host(),
                            n.port(),
                            n.database(),
                            n.lastError()))
            .toList();
    CaptureView capture = base.pipeline().capture();
    CaptureView movingCapture =
        new CaptureView(
            capture.state(),
            capture.sourceVersion(),
            capture.slot(),
            capture.publication(),
            capture.tables(),
            capture.confirmedLsn(),
            capture.lastLsn(),
            capture.walRetainedBytes(),
            1800 + 400 * Math.sin(t * 1.3),
            capture.eventsTotal() + (long) (t * 1800),
            capture.duplicatesDropped(),
            capture.startedAt(),
            Instant.now().minusMillis(300),
            null,
            List.of(),
            null);
    return Snapshot.of(
        Instant.now(),
        Duration.ofMillis(500),
        new PipelineView(movingCapture, base.pipeline().journal()),
        List.of(mongo, mirror, audit),
        List.of(
            new ReplicaGroupView(
                group.group(), group.routing(), nodes, group.readNode(), group.readReason())));
  }

  @BeforeEach
  void start() throws Exception {
    Instant now = Instant.now();
    feed.publish(
        new ActivityEvent(
            now.minusSeconds(3600),
            "capture.started",
            "capture",
            "streaming from 10.0.0.1:5432/app, 12 tables"));
    feed.publish(
        new ActivityEvent(
            now.minusSeconds(3500), "snapshot.start", "capture", "initial snapshot of 12 tables"));
    feed.publish(
        new ActivityEvent(
            now.minusSeconds(3300), "snapshot.done", "capture", "1,204,331 rows in 3 min 20 s"));
    feed.publish(
        new ActivityEvent(
            now.minusSeconds(900),
            "rule.sync.done",
            "pg-to-mongo",
            "snapshot done: 912,334 documents"));
    feed.publish(
        new ActivityEvent(
            now.minusSeconds(60),
            "rule.error",
            "audit-to-sqlite",
            "target refused: table audit is locked"));
    server =
        MonitorServer.builder(
                new MonitorConfig("127.0.0.1", 0, Secret.of(TOKEN), Duration.ofMillis(500)),
                this::moving,
                feed,
                new MetricRegistry())
            .action("GET /api/config", request -> config())
            .start();
    chromium = Chromium.start(1600, 1000);
  }

  @AfterEach
  void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    server.close();
  }

  @Test
  void theDashboardShowsRuleLagAndLiveActivityAndSaysWhenTheConnectionIsLost() throws Exception {
    chromium.navigate(URI.create(server.uri() + "?token=" + TOKEN));

    String lag =
        chromium
            .await(
                "document.querySelector('tr.rule[data-rule=\"pg-to-mongo\"] .lag-value')"
                    + "?.textContent",
                Duration.ofSeconds(10))
            .asText();
    assertThat(lag).matches("\\d+(\\.\\d)? s");
    assertThat(chromium.evaluate("document.querySelectorAll('tr.rule').length").asInt())
        .isEqualTo(3);
    assertThat(chromium.evaluate("document.getElementById('capture').textContent").asText())
        .contains("PostgreSQL17.11");
    assertThat(chromium.evaluate("document.getElementById('health').textContent").asText())
        .isEqualTo("failing");
    assertThat(chromium.evaluate("document.getElementById('health-why').textContent").asText())
        .startsWith("rule audit-to-sqlite failed: target refused");
    assertThat(
            chromium
                .evaluate(
                    "document.querySelector('tr.rule-error[data-rule=\"audit-to-sqlite\"]')"
                        + ".textContent")
                .asText())
        .contains("table audit is locked");
    chromium.await(
        "document.getElementById('stream-state').textContent === 'live'", Duration.ofSeconds(10));
    assertThat(chromium.evaluate("document.querySelectorAll('#events li').length").asInt())
        .isEqualTo(5);

    feed.publish(
        new ActivityEvent(
            Instant.now(),
            "replica.promoted",
            "app/standby-1",
            "standby-1 is the master of app now"));
    String arrived =
        chromium
            .await(
                "document.querySelector('#events li[data-type=\"replica.promoted\"] .msg')"
                    + "?.textContent",
                Duration.ofSeconds(2))
            .asText();
    assertThat(arrived).isEqualTo("standby-1 is the master of app now");
    assertThat(chromium.evaluate("document.querySelector('#events li').dataset.type").asText())
        .as("the newest event is on top")
        .isEqualTo("replica.promoted");

    // let the sparklines gather a few seconds of history, then check the freshness line
    Thread.sleep(4000);
    assertThat(chromium.evaluate("document.getElementById('freshness-text').textContent").asText())
        .matches("updated \\d+\\.\\d s ago · polling every 0\\.5 s");
    assertThat(
            chromium
                .evaluate(
                    "document.querySelector('tr.rule[data-rule=\"pg-to-mongo\"] .spark path')"
                        + "?.getAttribute('d')")
                .asText())
        .startsWith("M");
    Path screenshot = TARGET.resolve("dashboard.png");
    chromium.screenshot(screenshot);
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);

    server.close();
    String banner =
        chromium
            .await(
                "!document.getElementById('banner').hidden"
                    + " && document.getElementById('banner').textContent",
                Duration.ofSeconds(5))
            .asText();
    assertThat(banner).startsWith("Connection to the sidecar lost");
    chromium.screenshot(TARGET.resolve("dashboard-disconnected.png"));
  }

  /** What a sidecar's {@code GET /api/config} answers: a rule added at run time differs. */
  private Object config() {
    boolean changed = changedAtRunTime.get();
    String effective =
        "targets:\n  copy: { url: \"jdbc:postgresql://db/app\", password: <masked> }\nrules:\n"
            + "  - { name: \"pg-to-m\u00e9rror \uD83D\uDE00\", target: copy }\n"
            + (changed ? "  - { name: added-at-run-time, target: copy }\n" : "");
    return java.util.Map.of(
        "file", "/etc/sluice/sluice.yaml", "differsFromFile", changed, "effective", effective);
  }

  @Test
  void theDashboardShowsTheEffectiveConfigurationAndWhetherItDiffersFromTheFile() throws Exception {
    chromium.navigate(URI.create(server.uri() + "?token=" + TOKEN));
    chromium.await(
        "document.getElementById('config-state')?.textContent === 'as in the file'",
        Duration.ofSeconds(10));
    String shown = chromium.evaluate("document.getElementById('config').textContent").asText();
    assertThat(shown).contains("password: <masked>").contains("pg-to-m\u00e9rror \uD83D\uDE00");
    assertThat(shown).doesNotContain("added-at-run-time");

    changedAtRunTime.set(true); // a rule added through the API: the sidecar says config.reloaded
    feed.publish(
        new ActivityEvent(
            Instant.now(),
            "config.reloaded",
            "config",
            "POST /api/rules: rule added-at-run-time added"));
    chromium.await(
        "document.getElementById('config-state')?.textContent === 'differs from the file'",
        Duration.ofSeconds(10));
    assertThat(chromium.evaluate("document.getElementById('config').textContent").asText())
        .contains("added-at-run-time");
    assertThat(chromium.evaluate("document.getElementById('config-note').textContent").asText())
        .contains("a reload of the file replaces run-time changes");
    chromium.screenshot(TARGET.resolve("dashboard-config.png"));
  }

  @Test
  void withoutTheTokenThePageSaysHowToOpenIt() throws Exception {
    chromium.navigate(server.uri());
    // the page itself needs the token too: the browser gets the 401 JSON, not the dashboard
    String body =
        chromium.await("document.body && document.body.innerText", Duration.ofSeconds(5)).asText();
    assertThat(body).contains("a token is required");
  }
}
