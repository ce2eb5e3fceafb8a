package dev.sluice.bench;

import java.util.List;

/**
 * One figure of one subject in one scenario, measured once per repetition. Immutable.
 *
 * @param scenario the scenario's name, e.g. {@code capture}
 * @param subject what was measured, e.g. {@code sluice} or {@code pg_recvlogical}
 * @param metric what the figure is, e.g. {@code rows/s}
 * @param higherIsBetter whether a larger figure is better (rates) or worse (times, memory)
 * @param samples one figure per repetition, in run order
 * @param note what was counted and how, or empty
 */
public record Measurement(
    String scenario,
    String subject,
    String metric,
    boolean higherIsBetter,
    List<Double> samples,
    String note) {

  public Measurement {
    samples = List.copyOf(samples);
    if (samples.isEmpty()) {
      throw new IllegalArgumentException(scenario + "/" + subject + ": no samples");
    }
  }

  public Stats stats() {
    return Stats.of(samples);
  }
}
