package dev.sluice.journal;

/**
 * Where a change sits in the source's change stream: a total order that the capture engine
 * reproduces exactly when it re-delivers changes after a crash, so that re-delivered changes can be
 * recognised and dropped.
 *
 * @param epoch increases each time capture starts without a stored source position (new slot, new
 *     source); positions of different epochs are ordered by epoch
 * @param prevCommitLsn the commit LSN of the source transaction before this change's (0 when
 *     unknown); increases with commit order
 * @param lsn the change's own WAL position
 * @param sub the change's ordinal among changes with the same previous commit and LSN (a primary
 *     key update's delete and insert halves, a multi-table TRUNCATE)
 */
public record SourcePosition(int epoch, long prevCommitLsn, long lsn, int sub)
    implements Comparable<SourcePosition> {

  /** Before every position. */
  public static final SourcePosition NONE = new SourcePosition(0, 0, 0, -1);

  @Override
  public int compareTo(SourcePosition other) {
    int c = Integer.compare(epoch, other.epoch);
    if (c == 0) {
      c = Long.compareUnsigned(prevCommitLsn, other.prevCommitLsn);
    }
    if (c == 0) {
      c = Long.compareUnsigned(lsn, other.lsn);
    }
    return c != 0 ? c : Integer.compare(sub, other.sub);
  }

  public boolean isAfter(SourcePosition other) {
    return compareTo(other) > 0;
  }
}
