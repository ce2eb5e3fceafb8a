package dev.sluice.cli;

import org.slf4j.MDC;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code sluice} command line. */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Change-data-capture sidecar for PostgreSQL: captures committed changes into a local journal"
          + " and applies them to other databases.",
      "",
      "Exit codes: 0 success, 1 failure while running, 2 bad usage or invalid configuration.",
      "",
      "Start with 'sluice init --source URL' to write a sluice.yaml; 'sluice completion bash' adds"
          + " tab completion.",
      "",
      "Benchmarks: './sluice bench [--quick]' (the harness is a jar of its own, which the ./sluice"
          + " launcher starts; './sluice bench --help')."
    },
    subcommands = {
      InitCommand.class,
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
      SchemaCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  private Main() {}

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:" + LogFormat.ENVIRONMENT + ":-text}",
      description =
          "Log lines as 'text' (default) or 'json' (one object per line, for containers);"
              + " default from SLUICE_LOG_FORMAT. Logs go to stderr.")
  void logFormat(LogFormat format) {
    format.apply();
  }

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
        .setExecutionStrategy(Main::executeWithCleanLogContext)
        .setExecutionExceptionHandler(new ErrorHandler())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  /** Runs the command; the rule or replica it named in the log context is forgotten after it. */
  private static int executeWithCleanLogContext(CommandLine.ParseResult parseResult) {
    try {
      return new CommandLine.RunLast().execute(parseResult);
    } finally {
      MDC.clear();
    }
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
