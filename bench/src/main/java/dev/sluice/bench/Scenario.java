package dev.sluice.bench;

/** One scenario of the harness: runs its repetitions and records into the context's results. */
public interface Scenario {
  /** The name used by {@code --scenario} and in the table. */
  String name();

  /** One line on what it measures. */
  String description();

  void run(BenchContext context) throws Exception;
}
