package dev.sluice.capture.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recognises streamed changes the engine delivers a second time within one run of capture.
 *
 * <p>When the source restarts or its connection breaks, the engine restarts its task on its own and
 * streams again from its last stored position, which may lie before changes already journaled (and
 * is at least the last change it was handed, delivered again right after the one before). Those
 * repeats carry a different previous-commit position than the first delivery, so the journal's
 * position order cannot tell them; their identity can: the source transaction id, the change's LSN,
 * and what it changed (its table, operation and key: several changes share an LSN when one WAL
 * record holds several rows, as COPY writes them, or one TRUNCATE names several tables). Within one
 * delivery of a transaction the LSN only grows, so a change before the latest one seen for its
 * transaction, or at that LSN and seen there already, is a repeat.
 *
 * <p>Remembers the last {@link #CAPACITY} transactions, far more than the engine can deliver again:
 * it restarts from a position stored at most one offset flush (1 s) before the journal, and holds
 * at most its queue (32,768 records) in flight.
 *
 * <p>Not thread-safe: used on the engine's delivery thread only.
 */
final class RepeatFilter {
  static final int CAPACITY = 65_536;

  /** The latest LSN seen in a transaction, and what changed at it. */
  private static final class Latest {
    long lsn;
    final List<Object> changed = new ArrayList<>(1);

    Latest(long lsn, Object what) {
      this.lsn = lsn;
      changed.add(what);
    }
  }

  private final Map<Long, Latest> latestByTransaction =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Latest> eldest) {
          return size() > CAPACITY;
        }
      };
  private long lastTxId = Long.MIN_VALUE;
  private Latest lastLatest;

  /**
   * Returns whether this change was seen before, and remembers it when it was not.
   *
   * @param txId the source transaction id; a change without one (0) is never a repeat
   * @param lsn the change's LSN
   * @param what what it changed (its table, operation and key), compared with {@code equals}
   */
  boolean isRepeat(long txId, long lsn, Object what) {
    if (txId == 0) {
      return false;
    }
    Latest latest = txId == lastTxId ? lastLatest : latestByTransaction.get(txId);
    if (latest == null) {
      latest = new Latest(lsn, what);
      latestByTransaction.put(txId, latest);
    } else if (lsn < latest.lsn || (lsn == latest.lsn && latest.changed.contains(what))) {
      return true;
    } else if (lsn == latest.lsn) {
      latest.changed.add(what);
    } else {
      latest.lsn = lsn;
      latest.changed.clear();
      latest.changed.add(what);
    }
    lastTxId = txId;
    lastLatest = latest;
    return false;
  }
}
