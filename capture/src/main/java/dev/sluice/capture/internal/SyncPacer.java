package dev.sluice.capture.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Spaces the journal's syncs: a sync starts at least {@code minIntervalNanos} after the previous
 * one started. The engine hands over small batches often (it waits at most its poll interval for
 * one to fill), so that a change reaches the journal soon; syncing after every such batch would
 * cost a disk flush per change at low rates. Waiting for the next turn instead lets the changes
 * that arrive meanwhile wait in the engine's queue and share the next sync (a group commit). Under
 * load, journaling a batch takes longer than the interval, and nothing waits.
 *
 * <p>Used by the sink's thread only.
 */
final class SyncPacer {
  private final long minIntervalNanos;
  private boolean synced;
  private long lastStart;

  /**
   * @param minIntervalNanos the least time between the starts of two syncs, nanoseconds; 0 syncs at
   *     once every time
   */
  SyncPacer(long minIntervalNanos) {
    this.minIntervalNanos = minIntervalNanos;
  }

  /**
   * Returns when the next sync may start (at once, or when the interval since the last is over).
   */
  void awaitTurn() {
    long wait = synced ? lastStart + minIntervalNanos - System.nanoTime() : 0;
    while (wait > 0) {
      LockSupport.parkNanos(wait);
      wait = lastStart + minIntervalNanos - System.nanoTime();
    }
    lastStart = System.nanoTime();
    synced = true;
  }
}
