package dev.sluice.cli;

import dev.sluice.config.SetupException;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns any exception escaping a command into one clear message on stderr and an exit code: 2 for
 * what the user must fix ({@link SetupException}, including invalid configuration), 1 for failures
 * while running. The stack trace goes to the log at debug level only.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

  @Override
  public int handleExecutionException(
      Exception exception, CommandLine command, CommandLine.ParseResult parseResult) {
    PrintWriter err = command.getErr();
    LOG.debug("command failed", exception);
    if (exception instanceof SetupException) {
      err.println("error: " + exception.getMessage());
      err.flush();
      return ExitCode.USAGE;
    }
    err.println("error: " + describe(exception));
    err.flush();
    return ExitCode.FAILURE;
  }

  static String describe(Throwable exception) {
    String message = exception.getMessage();
    Throwable cause = exception.getCause();
    if ((message == null || message.isBlank()) && cause != null) {
      return describe(cause);
    }
    return message == null ? exception.getClass().getSimpleName() : message;
  }
}
