package dev.sluice.topology;

import java.time.Instant;

/**
 * How far a rule has applied the source's changes to its target.
 *
 * @param appliedLsn the source WAL position (as a number, {@code X/Y} = X&lt;&lt;32 | Y) up to
 *     which everything the rule covers is on its target: while the rule has changes left to apply,
 *     the commit LSN of the last source transaction it applied; once it has applied everything the
 *     journal holds, the last source position capture has confirmed (so an idle source shows no
 *     lag)
 * @param oldestUnappliedCommitTime the source commit time of the oldest change the rule has not
 *     applied yet, or null when it has applied everything
 */
public record AppliedPosition(long appliedLsn, Instant oldestUnappliedCommitTime) {}
