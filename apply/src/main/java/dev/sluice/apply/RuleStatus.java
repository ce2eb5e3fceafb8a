package dev.sluice.apply;

import dev.sluice.config.Dialect;
import dev.sluice.config.RuleMode;
import java.time.Instant;
import java.util.Map;

/**
 * A rule at a glance. Immutable; a new one is made on each {@link Applier#status()} call.
 *
 * @param rule the rule's name
 * @param target the target's name
 * @param dialect the target's kind
 * @param mode the rule's mode
 * @param state what the rule is doing
 * @param appliedPosition the journal position of its checkpoint, or -1
 * @param appliedLsn the commit LSN of the last source transaction applied, or 0
 * @param appliedCommitTime the source commit time of the last change applied, or null
 * @param lagChanges journal entries not applied yet
 * @param lagBytes WAL between the last change journaled and the last one applied
 * @param lagSeconds the age of the oldest change not applied yet (0 when caught up)
 * @param changesPerSecond the recent apply rate
 * @param totals changes applied since start, by operation ({@code insert}, {@code update}, ...)
 * @param missingRows updates that found no row on the target since start
 * @param deadLetters changes written to the dead-letter file since start
 * @param lastError the last error (with table, key and journal position when a change failed), or
 *     null
 * @param lastSync the last snapshot copy or replay, or null
 * @param conflicts for a bidirectional rule: changes dropped since start because the peer's row was
 *     newer (last update wins), by source table; empty for other modes
 */
public record RuleStatus(
    String rule,
    String target,
    Dialect dialect,
    RuleMode mode,
    RuleState state,
    long appliedPosition,
    long appliedLsn,
    Instant appliedCommitTime,
    long lagChanges,
    long lagBytes,
    double lagSeconds,
    double changesPerSecond,
    Map<String, Long> totals,
    long missingRows,
    long deadLetters,
    String lastError,
    Sync lastSync,
    Map<String, Long> conflicts) {

  public RuleStatus {
    totals = Map.copyOf(totals);
    conflicts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(conflicts));
  }

  /** Every conflict since start, over all tables. */
  public long conflictCount() {
    return conflicts.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * A copy of many rows into the target: a mirror snapshot or a replay.
   *
   * @param kind {@code snapshot} or {@code replay}
   * @param started when it started
   * @param finished when it finished, or null while it runs
   * @param rows rows written so far
   */
  public record Sync(String kind, Instant started, Instant finished, long rows) {}
}
