package dev.sluice.cli;

/** The exit codes of every command (documented in docs/commands.md). */
public final class ExitCode {
  /** Success (for {@code verify}: source and target are equal). */
  public static final int OK = 0;

  /** A failure while running (a database unreachable, a rule failed, differences found). */
  public static final int FAILURE = 1;

  /** Bad usage or configuration: something the user must change before running again. */
  public static final int USAGE = 2;

  private ExitCode() {}
}
