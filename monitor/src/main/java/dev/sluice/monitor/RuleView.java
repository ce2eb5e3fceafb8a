package dev.sluice.monitor;

import dev.sluice.config.Masking;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One rule: where it writes, how far behind it is, and what it last did.
 *
 * @param name the rule's name
 * @param target the target's name
 * @param dialect the target's kind ({@code postgresql}, {@code mysql}, {@code sqlite}, {@code
 *     mongodb})
 * @param mode {@code cdc}, {@code mirror}, {@code append} or {@code bidirectional}
 * @param state {@code starting}, {@code snapshotting}, {@code replaying}, {@code running}, {@code
 *     paused}, {@code stopped} or {@code failed} ({@code failed} makes the health check fail)
 * @param appliedPosition the journal position of the last change applied ({@code 20779:42}), or
 *     null when none yet
 * @param appliedLsn the source LSN of the last change applied, or null
 * @param lagChanges journal entries not applied yet
 * @param lagBytes source WAL bytes between the last change journaled and the last applied
 * @param lagSeconds the age of the oldest change not applied yet (0 when caught up)
 * @param ratePerSecond changes applied per second, over the last seconds
 * @param totalsByOp changes applied since start by operation ({@code insert}, {@code update},
 *     {@code delete}, {@code truncate}, and {@code read} for rows copied by a snapshot); keys in
 *     that order
 * @param lastError the last error (credentials in it masked), or null
 * @param lastSyncKind {@code snapshot} or {@code replay}, or null when the rule never did either
 * @param lastSyncStart when the last snapshot or replay started, or null
 * @param lastSyncFinish when it finished, or null while it runs
 * @param deadLetters changes written to the rule's dead-letter file since start ({@code onError:
 *     skip})
 * @param missingRows updates that found no row on the target since start (an update that left a
 *     TOASTed value unchanged cannot create the row)
 * @param conflicts for a bidirectional rule: changes dropped since start because the peer's row was
 *     newer (last update wins), by source table; empty for other modes
 * @param resync the rule's latest resync ({@code POST /api/rules/{name}/resync}), or null when none
 *     was asked for since start
 */
public record RuleView(
    String name,
    String target,
    String dialect,
    String mode,
    String state,
    String appliedPosition,
    String appliedLsn,
    long lagChanges,
    long lagBytes,
    double lagSeconds,
    double ratePerSecond,
    Map<String, Long> totalsByOp,
    String lastError,
    String lastSyncKind,
    Instant lastSyncStart,
    Instant lastSyncFinish,
    long deadLetters,
    long missingRows,
    Map<String, Long> conflicts,
    ResyncView resync) {

  /** A rule with no resync asked for. */
  public RuleView(
      String name,
      String target,
      String dialect,
      String mode,
      String state,
      String appliedPosition,
      String appliedLsn,
      long lagChanges,
      long lagBytes,
      double lagSeconds,
      double ratePerSecond,
      Map<String, Long> totalsByOp,
      String lastError,
      String lastSyncKind,
      Instant lastSyncStart,
      Instant lastSyncFinish,
      long deadLetters,
      long missingRows,
      Map<String, Long> conflicts) {
    this(
        name,
        target,
        dialect,
        mode,
        state,
        appliedPosition,
        appliedLsn,
        lagChanges,
        lagBytes,
        lagSeconds,
        ratePerSecond,
        totalsByOp,
        lastError,
        lastSyncKind,
        lastSyncStart,
        lastSyncFinish,
        deadLetters,
        missingRows,
        conflicts,
        null);
  }

  /** This rule with {@code newResync} as its latest resync. */
  public RuleView withResync(ResyncView newResync) {
    return new RuleView(
        name,
        target,
        dialect,
        mode,
        state,
        appliedPosition,
        appliedLsn,
        lagChanges,
        lagBytes,
        lagSeconds,
        ratePerSecond,
        totalsByOp,
        lastError,
        lastSyncKind,
        lastSyncStart,
        lastSyncFinish,
        deadLetters,
        missingRows,
        conflicts,
        newResync);
  }

  public RuleView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    totalsByOp =
        totalsByOp == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(totalsByOp));
    lastError = Masking.maskUrl(lastError);
    conflicts =
        conflicts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(conflicts));
  }

  /** Every conflict since start, over all tables. */
  public long conflictCount() {
    return conflicts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Whether the rule has failed. */
  public boolean failed() {
    return state.equals("failed");
  }
}
