package dev.sluice.journal;

/**
 * A rate over the last few seconds, computed from a growing count each time it is read (a
 * one-minute moving average is too slow to show a burst that just started or stopped).
 *
 * <p>Thread-safe.
 */
public final class RecentRate {
  private static final long WINDOW_NANOS = 2_000_000_000L;

  private long lastCount;
  private long lastNanos = System.nanoTime();
  private double rate;

  /** The rate per second of a count that only grows, given its current value. */
  public synchronized double perSecond(long count) {
    long now = System.nanoTime();
    long elapsed = now - lastNanos;
    if (elapsed >= WINDOW_NANOS || count < lastCount) {
      rate = Math.max(0, count - lastCount) * 1e9 / elapsed;
      lastCount = count;
      lastNanos = now;
    }
    return rate;
  }
}
