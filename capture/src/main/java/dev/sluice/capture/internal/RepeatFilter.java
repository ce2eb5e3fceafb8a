package dev.sluice.capture.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recognises streamed changes the engine delivers a second time within one run of capture.
 *
 * <p>When the source restarts or its connection breaks, the engine restarts its task on its own and
 * streams again from its last stored position, which may lie before changes already journaled.
 * Those repeats carry a different previous-commit position than the first delivery, so the
 * journal's position order cannot tell them; their identity can: the source transaction id, the
 * change's LSN, and its ordinal among the transaction's changes at that LSN. Within one delivery of
 * a transaction, (LSN, ordinal) only grows, so a change that is not after the latest one seen for
 * its transaction is a repeat.
 *
 * <p>Remembers the last {@link #CAPACITY} transactions, far more than the engine can deliver again:
 * it restarts from a position stored at most one offset flush (1 s) before the journal, and holds
 * at most its queue (32,768 records) in flight.
 *
 * <p>Not thread-safe: used on the engine's delivery thread only.
 */
final class RepeatFilter {
  static final int CAPACITY = 65_536;

  private final Map<Long, long[]> latestByTransaction =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
          return size() > CAPACITY;
        }
      };
  private long lastTxId = Long.MIN_VALUE;
  private long[] lastLatest;

  /**
   * Returns whether this change was seen before, and remembers it when it was not.
   *
   * @param txId the source transaction id; a change without one (0) is never a repeat
   * @param lsn the change's LSN
   * @param ordinal the change's place among its transaction's changes at the same LSN, from 0
   */
  boolean isRepeat(long txId, long lsn, int ordinal) {
    if (txId == 0) {
      return false;
    }
    long[] latest = txId == lastTxId ? lastLatest : latestByTransaction.get(txId);
    if (latest == null) {
      latest = new long[] {lsn, ordinal};
      latestByTransaction.put(txId, latest);
    } else if (lsn < latest[0] || (lsn == latest[0] && ordinal <= latest[1])) {
      return true;
    } else {
      latest[0] = lsn;
      latest[1] = ordinal;
    }
    lastTxId = txId;
    lastLatest = latest;
    return false;
  }
}
