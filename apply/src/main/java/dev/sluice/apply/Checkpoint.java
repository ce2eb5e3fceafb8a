package dev.sluice.apply;

/**
 * How far a rule has applied the journal, stored in its target with the data it covers.
 *
 * @param position the journal position of the last entry applied (or skipped as not covered)
 * @param lsn the commit LSN of the last source transaction applied, or 0
 * @param commitTimeMicros the source commit time of the last change applied, or 0
 */
public record Checkpoint(long position, long lsn, long commitTimeMicros) {}
