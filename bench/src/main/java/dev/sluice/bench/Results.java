package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the scenarios of one run found, collected as they go. Not thread-safe: scenarios run one
 * after the other on one thread.
 */
public final class Results {
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<Comparison> comparisons = new ArrayList<>();
  private final List<Check> checks = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Consumer<String> progress;

  /**
   * @param progress receives one line per figure and note as it is recorded
   */
  public Results(Consumer<String> progress) {
    this.progress = progress;
  }

  public Measurement add(
      String scenario,
      String subject,
      String metric,
      boolean higherIsBetter,
      List<Double> samples,
      String note) {
    Measurement m = new Measurement(scenario, subject, metric, higherIsBetter, samples, note);
    measurements.add(m);
    Stats s = m.stats();
    progress.accept(
        String.format(
            "  %s/%s %s: median %s (range %s – %s, n=%d)",
            scenario,
            subject,
            metric,
            ReportTable.number(s.median()),
            ReportTable.number(s.min()),
            ReportTable.number(s.max()),
            s.count()));
    return m;
  }

  public void compare(String scenario, String metric, Measurement sluice, Measurement baseline) {
    comparisons.add(new Comparison(scenario, metric, sluice, baseline));
  }

  public void check(String scenario, String subject, String what, long expected, long actual) {
    Check c = new Check(scenario, subject, what, expected, actual);
    checks.add(c);
    if (!c.passed()) {
      progress.accept(
          String.format(
              "  CHECK FAILED %s/%s: %s expected %,d, found %,d",
              scenario, subject, what, expected, actual));
    }
  }

  public void note(String note) {
    notes.add(note);
    progress.accept("  note: " + note);
  }

  public void progress(String line) {
    progress.accept(line);
  }

  public List<Measurement> measurements() {
    return List.copyOf(measurements);
  }

  public List<Comparison> comparisons() {
    return List.copyOf(comparisons);
  }

  public List<Check> checks() {
    return List.copyOf(checks);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }
}
