package dev.sluice.monitor;

/**
 * Where the monitor gets its figures. Implemented by the wiring (from the running components'
 * statuses) and by {@link StateFileView} (from a state file).
 */
@FunctionalInterface
public interface MonitorSource {
  /**
   * The figures as of now. Called on every API request, page poll, metrics scrape and state file
   * write, from several threads at once: it must be thread-safe and cheap (read statuses the
   * components already keep; never query a database here).
   */
  Snapshot snapshot();
}
