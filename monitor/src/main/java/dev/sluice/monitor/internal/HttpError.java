package dev.sluice.monitor.internal;

/** A request that gets an error status; the message becomes the response's {@code error}. */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
