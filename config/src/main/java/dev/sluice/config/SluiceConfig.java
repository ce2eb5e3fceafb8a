package dev.sluice.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole, validated configuration. Immutable; relative paths in the file are resolved against the
 * file's directory.
 *
 * @param file the file it was read from, or null when it came from elsewhere
 * @param source the captured PostgreSQL primary
 * @param journal the local journal
 * @param targets the targets by name, in file order
 * @param rules the rules, in file order
 * @param replicas the replica groups by name, in file order
 * @param monitor the HTTP server
 * @param state where the running topology is written
 */
public record SluiceConfig(
    Path file,
    SourceConfig source,
    JournalConfig journal,
    Map<String, TargetConfig> targets,
    List<RuleConfig> rules,
    Map<String, ReplicaGroupConfig> replicas,
    MonitorConfig monitor,
    Path state) {

  public SluiceConfig {
    targets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(targets));
    rules = List.copyOf(rules);
    replicas = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(replicas));
  }

  public Optional<RuleConfig> rule(String name) {
    return rules.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** The target a rule writes into. The loader guarantees it exists. */
  public TargetConfig targetOf(RuleConfig rule) {
    return targets.get(rule.target());
  }
}
