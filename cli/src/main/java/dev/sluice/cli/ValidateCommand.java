package dev.sluice.cli;

import dev.sluice.capture.Capture;
import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceConnection;
import dev.sluice.capture.SourceTable;
import dev.sluice.config.ConfigPrinter;
import dev.sluice.config.SluiceConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice validate -c FILE [--dry-run]}. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check the configuration; with --dry-run also the databases.",
      "Reports every problem at once with its line, and prints the effective configuration with"
          + " secrets masked. With --dry-run it also connects to the source and checks that it can"
          + " be captured (wal_level, rights, tables, replica identity, slot); it changes nothing."
    })
final class ValidateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(
      names = "--dry-run",
      description = "Also connect and check the databases; change nothing.")
  boolean dryRun;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws SQLException {
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    out.println("# effective configuration of " + config.file + " (secrets masked)");
    out.print(ConfigPrinter.toYaml(loaded));
    if (!dryRun) {
      out.println("# configuration is valid (use --dry-run to also check the databases)");
      out.flush();
      return ExitCode.OK;
    }
    boolean resuming = Files.exists(loaded.journal().dir().resolve(Capture.OFFSETS_FILE));
    SourceCheck.Report report;
    try (Connection connection = SourceConnection.open(loaded.source())) {
      report = SourceCheck.inspect(loaded.source(), connection, resuming);
    }
    out.println("# source: " + report.tables().size() + " tables to capture");
    for (SourceTable table : report.tables()) {
      out.println(
          "#   "
              + table.name()
              + " (replica identity "
              + table.identity().name().toLowerCase(java.util.Locale.ROOT)
              + ")");
    }
    report.notes().forEach(note -> out.println("# note: " + note));
    out.flush();
    report.orThrow();
    out.println("# the source is ready for capture");
    out.flush();
    return ExitCode.OK;
  }
}
