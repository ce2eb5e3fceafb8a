package dev.sluice.cli;

import dev.sluice.config.Durations;
import dev.sluice.config.JournalConfig;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.ReplicaGroupConfig;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TargetConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The difference between the running effective configuration and a new, fully validated one: what a
 * reload (of the file, or a change made through the API) applies, or why it cannot be applied
 * without a restart. Computed, never applied, here; the {@link Sidecar} applies it.
 *
 * @param refused one line per key that differs and cannot change while the sidecar runs ({@code
 *     source.url needs a restart}); when any, nothing is applied
 * @param rulesRemoved rules to stop (their checkpoints stay in their targets)
 * @param rulesChanged rules to stop and start again with new settings, with what changed
 * @param rulesAdded rules to start
 * @param tablesChanged whether {@code source.tables} differs (capture restarts with the new list)
 * @param groups per replica group that differs, what changes in it
 */
record ConfigChange(
    List<String> refused,
    List<String> rulesRemoved,
    Map<RuleConfig, String> rulesChanged,
    List<RuleConfig> rulesAdded,
    boolean tablesChanged,
    Map<String, GroupChange> groups) {

  /**
   * What changes in one replica group.
   *
   * @param removed nodes to remove (their pools drain)
   * @param changed nodes whose settings change
   * @param added nodes to add
   * @param routing the new routing strategy, or null when unchanged
   * @param hysteresis the new hysteresis, or null when unchanged
   */
  record GroupChange(
      List<String> removed,
      List<NodeConfig> changed,
      List<NodeConfig> added,
      dev.sluice.config.RoutingStrategy routing,
      java.time.Duration hysteresis) {
    boolean isEmpty() {
      return removed.isEmpty()
          && changed.isEmpty()
          && added.isEmpty()
          && routing == null
          && hysteresis == null;
    }
  }

  /** Nothing differs. */
  boolean isEmpty() {
    return refused.isEmpty()
        && rulesRemoved.isEmpty()
        && rulesChanged.isEmpty()
        && rulesAdded.isEmpty()
        && !tablesChanged
        && groups.isEmpty();
  }

  /** The difference from {@code running} to {@code next}. */
  static ConfigChange between(SluiceConfig running, SluiceConfig next) {
    List<String> refused = new ArrayList<>();
    SourceConfig a = running.source();
    SourceConfig b = next.source();
    restart(refused, "source.url", a, b, SourceConfig::url, true);
    restart(refused, "source.user", a, b, SourceConfig::user, false);
    restart(refused, "source.password", a, b, SourceConfig::password, true);
    restart(refused, "source.slot", a, b, SourceConfig::slot, false);
    restart(refused, "source.publication", a, b, SourceConfig::publication, false);
    restart(refused, "source.snapshot", a, b, s -> s.snapshot().yamlName(), false);
    restart(refused, "source.heartbeat", a, b, s -> Durations.format(s.heartbeat()), false);
    restart(
        refused, "source.connectTimeout", a, b, s -> Durations.format(s.connectTimeout()), false);
    JournalConfig j = running.journal();
    JournalConfig k = next.journal();
    restart(refused, "journal.dir", j, k, JournalConfig::dir, false);
    restart(refused, "journal.retention", j, k, x -> Durations.format(x.retention()), false);
    restart(refused, "journal.sync", j, k, x -> x.sync().yamlName(), false);
    MonitorConfig m = running.monitor();
    MonitorConfig n = next.monitor();
    restart(refused, "monitor.host", m, n, MonitorConfig::host, false);
    restart(refused, "monitor.port", m, n, MonitorConfig::port, false);
    restart(refused, "monitor.token", m, n, MonitorConfig::token, true);
    restart(refused, "monitor.poll", m, n, x -> Durations.format(x.poll()), false);
    restart(refused, "state", running, next, SluiceConfig::state, false);
    for (String group : running.replicas().keySet()) {
      if (!next.replicas().containsKey(group)) {
        refused.add("replicas." + group + " was removed: removing a replica group needs a restart");
      }
    }
    for (String group : next.replicas().keySet()) {
      if (!running.replicas().containsKey(group)) {
        refused.add("replicas." + group + " was added: adding a replica group needs a restart");
      }
    }

    List<String> removed = new ArrayList<>();
    Map<RuleConfig, String> changed = new LinkedHashMap<>();
    List<RuleConfig> added = new ArrayList<>();
    for (RuleConfig rule : running.rules()) {
      if (next.rule(rule.name()).isEmpty()) {
        removed.add(rule.name());
      }
    }
    for (RuleConfig rule : next.rules()) {
      RuleConfig before = running.rule(rule.name()).orElse(null);
      if (before == null) {
        added.add(rule);
        continue;
      }
      String why = ruleDifference(before, rule, running.targetOf(before), next.targetOf(rule));
      if (!why.isEmpty()) {
        changed.put(rule, why);
      }
    }

    Map<String, GroupChange> groups = new LinkedHashMap<>();
    for (ReplicaGroupConfig g : next.replicas().values()) {
      ReplicaGroupConfig before = running.replicas().get(g.name());
      if (before == null) {
        continue;
      }
      GroupChange change = groupDifference(before, g, refused);
      if (!change.isEmpty()) {
        groups.put(g.name(), change);
      }
    }
    return new ConfigChange(
        List.copyOf(refused),
        List.copyOf(removed),
        changed,
        List.copyOf(added),
        !a.tables().equals(b.tables()),
        groups);
  }

  private static <C> void restart(
      List<String> refused,
      String key,
      C running,
      C next,
      Function<C, Object> value,
      boolean secret) {
    Object was = value.apply(running);
    Object now = value.apply(next);
    if (Objects.equals(was, now)) {
      return;
    }
    refused.add(
        key
            + " needs a restart"
            + (secret
                ? ""
                : " (running: " + shown(key, was) + ", in the file: " + shown(key, now) + ")"));
  }

  private static String shown(String key, Object value) {
    return value == null ? "none" : dev.sluice.config.Masking.maskUrl(value.toString());
  }

  private static String ruleDifference(
      RuleConfig a, RuleConfig b, TargetConfig targetA, TargetConfig targetB) {
    List<String> keys = new ArrayList<>();
    if (!a.target().equals(b.target())) {
      keys.add("target " + a.target() + " -> " + b.target());
    } else if (!targetA.equals(targetB)) {
      keys.add("target " + b.target() + "'s settings");
    }
    if (a.mode() != b.mode()) {
      keys.add("mode " + a.mode().yamlName() + " -> " + b.mode().yamlName());
    }
    if (!a.tables().equals(b.tables())) {
      keys.add("tables");
    }
    if (a.conflict() != b.conflict()) {
      keys.add("conflict");
    }
    if (!a.rename().equals(b.rename())) {
      keys.add("rename");
    }
    if (!a.excludeColumns().equals(b.excludeColumns())) {
      keys.add("excludeColumns");
    }
    if (!a.batch().equals(b.batch())) {
      keys.add("batch");
    }
    if (a.onError() != b.onError()) {
      keys.add("onError");
    }
    return String.join(", ", keys);
  }

  private static GroupChange groupDifference(
      ReplicaGroupConfig a, ReplicaGroupConfig b, List<String> refused) {
    Map<String, NodeConfig> before = new LinkedHashMap<>();
    a.nodes().forEach(n -> before.put(n.name(), n));
    Map<String, NodeConfig> after = new LinkedHashMap<>();
    b.nodes().forEach(n -> after.put(n.name(), n));
    List<String> removed = new ArrayList<>();
    List<NodeConfig> changed = new ArrayList<>();
    List<NodeConfig> added = new ArrayList<>();
    for (NodeConfig n : a.nodes()) {
      NodeConfig next = after.get(n.name());
      if (next == null) {
        if (n.role() == dev.sluice.config.NodeRole.MASTER) {
          refused.add(
              "replicas." + a.name() + ": removing the master " + n.name() + " needs a restart");
        } else {
          removed.add(n.name());
        }
      } else if (next.role() != n.role()) {
        refused.add(
            "replicas."
                + a.name()
                + ": changing the role of "
                + n.name()
                + " needs a restart (or sluice promote)");
      } else if (!next.equals(n)) {
        if (n.role() == dev.sluice.config.NodeRole.MASTER) {
          refused.add(
              "replicas." + a.name() + ": changing the master " + n.name() + " needs a restart");
        } else {
          changed.add(next);
        }
      }
    }
    for (NodeConfig n : b.nodes()) {
      if (!before.containsKey(n.name())) {
        if (n.role() == dev.sluice.config.NodeRole.MASTER) {
          refused.add(
              "replicas." + a.name() + ": adding the master " + n.name() + " needs a restart");
        } else {
          added.add(n);
        }
      }
    }
    return new GroupChange(
        removed,
        changed,
        added,
        a.routing() == b.routing() ? null : b.routing(),
        a.hysteresis().equals(b.hysteresis()) ? null : b.hysteresis());
  }

  /** What changes, one line each, for the command's output, the log and the activity feed. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    rulesRemoved.forEach(r -> lines.add("rule " + r + " removed"));
    rulesChanged.forEach((r, why) -> lines.add("rule " + r.name() + " changed (" + why + ")"));
    rulesAdded.forEach(r -> lines.add("rule " + r.name() + " added"));
    if (tablesChanged) {
      lines.add("source.tables changed: capture restarts with the new list");
    }
    groups.forEach(
        (group, c) -> {
          c.removed().forEach(n -> lines.add("replica " + group + "/" + n + " removed"));
          c.changed().forEach(n -> lines.add("replica " + group + "/" + n.name() + " changed"));
          c.added().forEach(n -> lines.add("replica " + group + "/" + n.name() + " added"));
          if (c.routing() != null) {
            lines.add("replicas." + group + ".routing: " + c.routing().yamlName());
          }
          if (c.hysteresis() != null) {
            lines.add("replicas." + group + ".hysteresis: " + Durations.format(c.hysteresis()));
          }
        });
    return lines;
  }
}
