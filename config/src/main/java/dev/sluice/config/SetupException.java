package dev.sluice.config;

/**
 * A problem the user must fix before Sluice can run: configuration, source settings, rights. The
 * message says what is wrong and what to change. Commands exit with code 2 on it (exit code 1 is
 * for failures while running).
 */
public class SetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SetupException(String message) {
    super(message);
  }

  public SetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
