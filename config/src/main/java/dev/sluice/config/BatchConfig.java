package dev.sluice.config;

import java.time.Duration;

/**
 * How a rule groups changes into one target transaction.
 *
 * @param maxEvents at most this many changes per batch (a source transaction is never split, so a
 *     larger one is applied whole)
 * @param maxDelay a batch is applied at the latest this long after its first change arrived
 */
public record BatchConfig(int maxEvents, Duration maxDelay) {
  public static final BatchConfig DEFAULT = new BatchConfig(10_000, Duration.ofMillis(20));
}
