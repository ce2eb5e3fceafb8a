package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command line. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Change-data-capture sidecar for PostgreSQL: captures committed changes into a local journal"
          + " and applies them to other databases.",
      "",
      "Exit codes: 0 success, 1 failure while running, 2 bad usage or invalid configuration."
    },
    subcommands = {
      RunCommand.class,
      ValidateCommand.class,
      TailCommand.class,
      StatusCommand.class,
      ReplayCommand.class,
      VerifyCommand.class,
      SnapshotCommand.class,
      DemoCommand.class,
      MonitorCommand.class,
      PromoteCommand.class,
      RejoinCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (tests call this in-process). */
  public static int execute(String... args) {
    System.setProperty("chronicle.analytics.disable", "true");
    return commandLine().execute(args);
  }

  /** The configured command line; callers may redirect its output with setOut/setErr. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(new ErrorHandler())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (version == null ? "(development build)" : version)};
    }
  }
}
