package dev.sluice.topology;

/** A node that an operation needs could not be reached. Retriable: try again when it is back. */
public final class NodeUnreachableException extends TopologyException {
  private static final long serialVersionUID = 1L;

  public NodeUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
