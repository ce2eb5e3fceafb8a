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
      "The demo and the benchmarks are jars of their own, which the ./sluice launcher starts, so"
          + " that this one holds only what the sidecar runs: './sluice demo' (embedded databases,"
          + " a workload and the live dashboard; './sluice demo --help') and './sluice bench"
          + " [--quick]' ('./sluice bench --help')."
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
      MonitorCommand.class,
      PromoteCommand.class,
      RejoinCommand.class,
      ReloadCommand.class,
      ResyncCommand.class,
      SchemaCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  /** The demo's command, which only the demo module's jar has. */
  private static final String DEMO = "demo";

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
    return execute(commandLine(), args);
  }

  /**
   * Runs a command line made by {@link #commandLine()}, perhaps with commands of its own added (the
   * demo's), and returns its exit code.
   */
  public static int execute(CommandLine commandLine, String... args) {
    System.setProperty("chronicle.analytics.disable", "true");
    if (args.length > 0
        && args[0].equals(DEMO)
        && !commandLine.getSubcommands().containsKey(DEMO)) {
      commandLine
          .getErr()
          .println(
              "sluice: the demo is not in the sidecar's jar; run './sluice demo' in the"
                  + " repository, or java -jar demo/target/sluice-demo.jar demo");
      return ExitCode.USAGE;
    }
    return commandLine.execute(args);
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
