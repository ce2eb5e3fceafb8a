package dev.sluice.apply;

/**
 * A target refused or failed a write. Retriable failures (connection lost, deadlock, target down)
 * are retried with backoff; permanent ones (constraint violation, a value the target cannot hold)
 * stop the rule at the failing change, or skip it into the dead-letter file.
 */
public final class TargetException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public TargetException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  public boolean isRetriable() {
    return retriable;
  }
}
