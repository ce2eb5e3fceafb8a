package dev.sluice.topology;

/**
 * A topology operation failed while running (exit code 1). Not retriable as such: the message says
 * what to change. Subclasses tell the cases apart by type.
 */
public class TopologyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TopologyException(String message) {
    super(message);
  }

  public TopologyException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether trying the same operation again later may succeed without changing anything. */
  public boolean isRetriable() {
    return false;
  }
}
