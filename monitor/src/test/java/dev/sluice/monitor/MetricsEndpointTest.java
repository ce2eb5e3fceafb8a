package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.MonitorConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics}: the registry and the snapshot in the Prometheus text format. */
class MetricsEndpointTest {
  private final MetricRegistry metrics = new MetricRegistry();
  private MonitorServer server;
  private String body;

  @BeforeEach
  void start() throws Exception {
    metrics.meter("capture.events").mark(42);
    metrics.counter("capture.duplicates.dropped").inc(2);
    metrics.counter(MetricNames.rule("apply.batches", "pg-to-mongo")).inc(7);
    metrics.counter(MetricNames.rule("apply.batches", "pg-to-mirror")).inc(9);
    metrics
        .timer(MetricNames.rule("apply.batch", "pg-to-mongo"))
        .update(250, TimeUnit.MILLISECONDS);
    metrics.register(
        MetricNames.replica("probe.ok", "app", "standby-1"), (Gauge<Boolean>) () -> true);
    server =
        MonitorServer.start(
            new MonitorConfig("127.0.0.1", 0, null, Duration.ofSeconds(2)),
            new SampleSnapshots(SampleSnapshots.healthy()),
            new ActivityFeed(),
            metrics);
    HttpResponse<String> response = new Http(server.uri()).get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    body = response.body();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void registryMetersAndCountersAreCountersWithTheSluicePrefix() {
    assertThat(body)
        .contains("# TYPE sluice_capture_events_total counter")
        .contains("sluice_capture_events_total 42.0")
        .contains("sluice_capture_duplicates_dropped_total 2.0");
  }

  @Test
  void labelledRegistryNamesBecomeOneFamilyWithLabels() {
    assertThat(body)
        .containsOnlyOnce("# TYPE sluice_rule_apply_batches_total counter")
        .contains("sluice_rule_apply_batches_total{rule=\"pg-to-mongo\"} 7.0")
        .contains("sluice_rule_apply_batches_total{rule=\"pg-to-mirror\"} 9.0")
        .contains("sluice_replica_probe_ok{group=\"app\",node=\"standby-1\"} 1.0");
  }

  @Test
  void timersAreSummariesInSeconds() {
    assertThat(body)
        .contains("# TYPE sluice_rule_apply_batch_seconds summary")
        .contains("sluice_rule_apply_batch_seconds{rule=\"pg-to-mongo\",quantile=\"0.5\"} 0.25")
        .contains("sluice_rule_apply_batch_seconds_count{rule=\"pg-to-mongo\"} 1");
  }

  @Test
  void theSnapshotsFiguresAreExportedWithConventionalNames() {
    assertThat(body)
        .contains("sluice_health_ok 1.0")
        .contains("sluice_capture_state{state=\"streaming\"} 1.0")
        .contains("sluice_capture_wal_retained_bytes 4718592.0")
        .contains("sluice_journal_size_bytes 7.340032E8")
        .contains("sluice_rule_lag_seconds{rule=\"pg-to-mongo\"} 0.4")
        .contains("sluice_rule_lag_changes{rule=\"pg-to-mirror\"} 21.0")
        .contains("sluice_rule_applied_total{op=\"insert\",rule=\"pg-to-mongo\"} 912334.0")
        .contains("sluice_rule_conflicts_total{rule=\"pg-to-mirror\",table=\"public.orders\"} 3.0")
        .doesNotContain("sluice_rule_conflicts_total{rule=\"pg-to-mongo\"")
        .contains("sluice_replica_lag_bytes{group=\"app\",node=\"standby-1\"} 16384.0")
        .contains("sluice_replica_lag_seconds{group=\"app\",node=\"mirror\"} 9.4")
        .contains("sluice_replica_up{group=\"app\",node=\"primary\"} 1.0");
  }

  @Test
  void aFamilyInTheRegistryReplacesTheSnapshotsFamilyOfTheSameName() {
    // capture.events is both a registry meter (42) and a snapshot figure (1204331)
    assertThat(body).containsOnlyOnce("# TYPE sluice_capture_events_total counter");
    assertThat(body).doesNotContain("sluice_capture_events_total 1204331");
  }
}
