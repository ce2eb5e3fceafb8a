package dev.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What every scenario of one run shares: the clusters, a working directory, the sizes, and the
 * results. Immutable (the results collect).
 *
 * @param clusters the source and target clusters
 * @param workDir a directory of the run's own, removed after the run
 * @param settings the sizes
 * @param results where figures, checks and notes go
 */
public record BenchContext(
    Clusters clusters, Path workDir, BenchSettings settings, Results results) {

  /**
   * The context of an untimed warm-up round: the sizes of {@link BenchSettings#forWarmUp()}, and
   * results that are printed as they come (prefixed {@code warm-up}) but kept nowhere.
   */
  public BenchContext warmUp() {
    Results discarded = new Results(line -> results.progress("  (warm-up)" + line));
    return new BenchContext(clusters, workDir, settings.forWarmUp(), discarded);
  }

  /** A new, empty directory under the working directory. */
  public Path newDir(String name) {
    try {
      return Files.createTempDirectory(Files.createDirectories(workDir), name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Time-outs scale with the sizes: a generous 1 ms per row, at least 5 minutes. */
  public Duration timeoutFor(long rows) {
    return Duration.ofMinutes(5).plusMillis(rows);
  }

  /**
   * Polls {@code condition} every {@code pollMillis} until it holds.
   *
   * @throws IllegalStateException naming {@code what} after {@code timeout}
   */
  public static void await(
      BooleanSupplier condition, long pollMillis, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            what + " did not happen within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(pollMillis);
    }
  }

  /** Seconds since {@code startNanos} (a {@link System#nanoTime()} reading). */
  public static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
