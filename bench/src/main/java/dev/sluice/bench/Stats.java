package dev.sluice.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The summary of repeated samples of one figure: median and range (min, max). Immutable.
 *
 * @param median the middle sample (the mean of the two middle ones for an even count)
 * @param min the smallest sample
 * @param max the largest sample
 * @param count how many samples
 */
public record Stats(double median, double min, double max, int count) {

  /**
   * @throws IllegalArgumentException when there are no samples, or one is not a finite number
   */
  public static Stats of(List<Double> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (Arrays.stream(sorted).anyMatch(v -> !Double.isFinite(v))) {
      throw new IllegalArgumentException("a sample is not a finite number: " + samples);
    }
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Stats(median, sorted[0], sorted[n - 1], n);
  }

  /**
   * The value at quantile {@code q} (0..1) of the samples, nearest-rank method (the smallest sample
   * with at least {@code q} of the samples at or below it).
   */
  public static double quantile(double[] sortedSamples, double q) {
    if (sortedSamples.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    int rank = (int) Math.ceil(q * sortedSamples.length);
    return sortedSamples[Math.max(0, Math.min(sortedSamples.length - 1, rank - 1))];
  }
}
