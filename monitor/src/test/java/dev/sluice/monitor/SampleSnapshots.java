package dev.sluice.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Realistic snapshots for tests, and a {@link MonitorSource} that returns whichever one a test set
 * last (our own interface: this is a plain implementation, not a stand-in for a component).
 */
final class SampleSnapshots implements MonitorSource {
  private final AtomicReference<Snapshot> current;

  SampleSnapshots(Snapshot first) {
    this.current = new AtomicReference<>(first);
  }

  @Override
  public Snapshot snapshot() {
    return current.get();
  }

  void set(Snapshot snapshot) {
    current.set(snapshot);
  }

  static CaptureView capture(String state, String error) {
    return new CaptureView(
        state,
        "17.11",
        "sluice",
        "sluice",
        12,
        "0/1A2B3C4D",
        "0/1A2B3D00",
        4_718_592,
        1834.5,
        1_204_331,
        3,
        Instant.now().minusSeconds(3600),
        Instant.now().minusMillis(420),
        error,
        List.of(),
        null);
  }

  static JournalView journal() {
    return new JournalView(
        "/var/lib/sluice/journal", "20774:0", "20779:88211", 734_003_200L, 6, "7d");
  }

  static RuleView rule(String name, String state, double lagSeconds, String error) {
    Map<String, Long> totals = new LinkedHashMap<>();
    totals.put("insert", 912_334L);
    totals.put("update", 281_102L);
    totals.put("delete", 10_895L);
    return new RuleView(
        name,
        name.endsWith("mongo") ? "analytics" : "mirror",
        name.endsWith("mongo") ? "mongodb" : "postgresql",
        "cdc",
        state,
        "20779:88190",
        "0/1A2B3C00",
        21,
        48_213,
        lagSeconds,
        1822.0,
        totals,
        error,
        "snapshot",
        Instant.now().minusSeconds(7200),
        Instant.now().minusSeconds(6900),
        state.equals("failed") ? 3 : 0,
        0,
        name.endsWith("mongo") ? Map.of() : Map.of("public.orders", 3L));
  }

  static ReplicaGroupView group() {
    Instant probe = Instant.now().minusMillis(800);
    return new ReplicaGroupView(
        "app",
        "least-lag",
        List.of(
            new NodeView(
                "primary",
                "master",
                "postgresql",
                "up",
                0,
                0,
                probe,
                null,
                3,
                7,
                10,
                "10.0.0.1",
                5432,
                "app",
                null),
            new NodeView(
                "standby-1",
                "slave",
                "postgresql",
                "up",
                16_384,
                120,
                probe,
                null,
                2,
                8,
                10,
                "10.0.0.3",
                5432,
                "app",
                null),
            new NodeView(
                "mirror",
                "slave",
                "postgresql",
                "stale",
                52_428_800,
                9_400,
                probe,
                "pg-to-mirror",
                0,
                4,
                4,
                "10.0.0.2",
                5432,
                "app",
                null)),
        "standby-1",
        "least lag: 120 ms");
  }

  /** Capture streaming, two working rules, one replica group. */
  static Snapshot healthy() {
    return Snapshot.of(
        Instant.now(),
        Duration.ofSeconds(2),
        new PipelineView(capture("streaming", null), journal()),
        List.of(
            rule("pg-to-mongo", "running", 0.4, null), rule("pg-to-mirror", "running", 2.5, null)),
        List.of(group()));
  }

  /** Like {@link #healthy()}, but one rule failed. */
  static Snapshot withFailedRule(String error) {
    return Snapshot.of(
        Instant.now(),
        Duration.ofSeconds(2),
        new PipelineView(capture("streaming", null), journal()),
        List.of(
            rule("pg-to-mongo", "failed", 75, error), rule("pg-to-mirror", "running", 2.5, null)),
        List.of(group()));
  }
}
