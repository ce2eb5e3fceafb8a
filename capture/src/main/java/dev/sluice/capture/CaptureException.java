package dev.sluice.capture;

/**
 * Capture failed while running (source unreachable, engine error). Commands exit with code 1 on it;
 * problems the user must fix in the configuration or on the source are {@link
 * dev.sluice.config.SetupException}s instead.
 */
public final class CaptureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CaptureException(String message) {
    super(message);
  }

  public CaptureException(String message, Throwable cause) {
    super(message, cause);
  }
}
