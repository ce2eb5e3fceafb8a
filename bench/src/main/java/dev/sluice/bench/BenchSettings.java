package dev.sluice.bench;

/**
 * The sizes of one run. Immutable.
 *
 * @param repetitions runs of each side of each comparison (the sides alternate)
 * @param rows rows inserted by the capture, end-to-end and replay scenarios
 * @param rowsPerTransaction rows per source transaction in those loads
 * @param latencyRatePerSecond single-row transactions per second of the latency scenario
 * @param latencySeconds how long the latency scenario writes, in seconds
 * @param targetRows rows applied into each non-PostgreSQL target (scenario 4)
 * @param backlogRows changes in the backlog of the memory scenario
 * @param jmhQuick whether JMH runs with short settings (one fork, short iterations)
 * @param warmUp whether the throughput comparisons first run each side once, untimed, with a tenth
 *     of the rows: the sidecar is a long-running process, so its figures are taken warm (JIT
 *     compiled), as pg_recvlogical's and the server's always are
 */
public record BenchSettings(
    int repetitions,
    int rows,
    int rowsPerTransaction,
    int latencyRatePerSecond,
    int latencySeconds,
    int targetRows,
    int backlogRows,
    boolean jmhQuick,
    boolean warmUp) {

  /** The documented sizes (issue 6). */
  public static BenchSettings full() {
    return new BenchSettings(3, 1_000_000, 10_000, 1_000, 30, 200_000, 5_000_000, false, true);
  }

  /** A reduced set that runs in a few minutes on two cores: for the CI smoke test. */
  public static BenchSettings quick() {
    return new BenchSettings(1, 20_000, 2_000, 200, 5, 5_000, 20_000, true, false);
  }

  public BenchSettings withRepetitions(int n) {
    return new BenchSettings(
        n,
        rows,
        rowsPerTransaction,
        latencyRatePerSecond,
        latencySeconds,
        targetRows,
        backlogRows,
        jmhQuick,
        warmUp);
  }

  /** The warm-up round's sizes: one repetition of a tenth of the rows, no further warm-up. */
  public BenchSettings forWarmUp() {
    return new BenchSettings(
        1,
        Math.max(rowsPerTransaction, rows / 10),
        rowsPerTransaction,
        latencyRatePerSecond,
        latencySeconds,
        targetRows,
        backlogRows,
        jmhQuick,
        false);
  }
}
