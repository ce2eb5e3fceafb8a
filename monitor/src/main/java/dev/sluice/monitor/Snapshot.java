package dev.sluice.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the dashboard, the API and the state file show, as of one moment. Immutable; a {@link
 * MonitorSource} makes a new one on each call.
 *
 * @param takenAt when the figures were taken (the API calls it {@code ts}; the page counts its
 *     freshness from it)
 * @param poll how often the figures are refreshed ({@code monitor.poll})
 * @param pipeline capture and journal
 * @param rules one entry per rule, in configuration order
 * @param replicas one entry per replica group, in configuration order
 * @param health whether capture and every rule are working, and if not why
 */
public record Snapshot(
    Instant takenAt,
    Duration poll,
    PipelineView pipeline,
    List<RuleView> rules,
    List<ReplicaGroupView> replicas,
    HealthView health) {

  public Snapshot {
    Objects.requireNonNull(takenAt, "takenAt");
    Objects.requireNonNull(poll, "poll");
    Objects.requireNonNull(pipeline, "pipeline");
    rules = rules == null ? List.of() : List.copyOf(rules);
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
    health = health == null ? HealthView.of(pipeline, rules) : health;
  }

  /** A snapshot whose health is derived from the capture and rule states. */
  public static Snapshot of(
      Instant takenAt,
      Duration poll,
      PipelineView pipeline,
      List<RuleView> rules,
      List<ReplicaGroupView> replicas) {
    return new Snapshot(takenAt, poll, pipeline, rules, replicas, null);
  }

  /** The replica group of that name, if there is one. */
  public java.util.Optional<ReplicaGroupView> group(String name) {
    return replicas.stream().filter(g -> g.group().equals(name)).findFirst();
  }
}
