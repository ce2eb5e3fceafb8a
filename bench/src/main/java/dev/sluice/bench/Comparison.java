package dev.sluice.bench;

/**
 * Sluice against a baseline on one figure, from medians of the same run. Immutable.
 *
 * @param scenario the scenario
 * @param metric the figure compared
 * @param sluice Sluice's measurement
 * @param baseline the baseline's measurement
 */
public record Comparison(String scenario, String metric, Measurement sluice, Measurement baseline) {

  /**
   * How many times better Sluice is than the baseline (above 1: faster or smaller), from the
   * medians: {@code sluice / baseline} for rates, {@code baseline / sluice} for times.
   */
  public double ratio() {
    double s = sluice.stats().median();
    double b = baseline.stats().median();
    return sluice.higherIsBetter() ? s / b : b / s;
  }
}
