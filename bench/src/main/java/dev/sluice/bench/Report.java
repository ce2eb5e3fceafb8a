package dev.sluice.bench;

import java.time.Instant;
import java.util.List;

/**
 * The results of one run of the harness. Immutable.
 *
 * @param started when the run started
 * @param seconds how long the whole run took, in seconds
 * @param mode {@code quick} or {@code full}
 * @param command the command line that reproduces the run
 * @param machine where it ran
 * @param settings the sizes the scenarios used
 * @param measurements every figure, in run order
 * @param comparisons Sluice against each baseline
 * @param checks the counts verified on the way
 * @param notes how figures were measured, and any scenario skipped and why
 */
public record Report(
    Instant started,
    double seconds,
    String mode,
    String command,
    Machine machine,
    BenchSettings settings,
    List<Measurement> measurements,
    List<Comparison> comparisons,
    List<Check> checks,
    List<String> notes) {

  public Report {
    measurements = List.copyOf(measurements);
    comparisons = List.copyOf(comparisons);
    checks = List.copyOf(checks);
    notes = List.copyOf(notes);
  }

  /** Whether every verified count was as expected. */
  public boolean checksPassed() {
    return checks.stream().allMatch(Check::passed);
  }
}
