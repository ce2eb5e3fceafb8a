package dev.sluice.config;

import java.util.List;
import java.util.Map;

/**
 * Which captured tables go into which target, and how.
 *
 * @param name the rule's name (unique)
 * @param target the name of a target in {@code targets:}
 * @param mode how changes are applied
 * @param tables the rule's tables among the captured ones; empty means all of them
 * @param conflict the conflict policy
 * @param rename target names for source tables ({@code public.users} to {@code users})
 * @param excludeColumns columns left out per source table
 * @param batch batching of target transactions
 * @param onError what happens to a change the target permanently refuses
 * @param node for a bidirectional rule: this side's node name (the target's name is the peer's);
 *     null for other modes
 */
public record RuleConfig(
    String name,
    String target,
    RuleMode mode,
    List<TablePattern> tables,
    ConflictPolicy conflict,
    Map<TableName, String> rename,
    Map<TableName, List<String>> excludeColumns,
    BatchConfig batch,
    OnError onError,
    String node) {

  public RuleConfig {
    tables = List.copyOf(tables);
    rename = Map.copyOf(rename);
    excludeColumns = Map.copyOf(excludeColumns);
  }

  /** Whether the rule is one half of a bidirectional pair. */
  public boolean isBidirectional() {
    return mode == RuleMode.BIDIRECTIONAL;
  }

  /** Whether the rule covers a captured table. */
  public boolean covers(TableName table) {
    return TablePattern.anyMatches(tables, table);
  }
}
