package dev.sluice.cli;

import dev.sluice.apply.Compatibility;
import dev.sluice.apply.Fidelity;
import dev.sluice.apply.PeerCheck;
import dev.sluice.capture.Capture;
import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceConnection;
import dev.sluice.capture.SourceTable;
import dev.sluice.config.ConfigPrinter;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.TableSchema;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
          + " secrets masked. With --dry-run it also connects: it checks that the source can be"
          + " captured (its PostgreSQL version, wal_level, rights, tables, replica identity, slot),"
          + " that every target can be"
          + " reached and written, and append rules' start-up condition, and prints the compatibility"
          + " report: per rule, table and column, the source type, the target type, and whether values"
          + " arrive exact, converted (how), or limited (which values cannot be stored). It changes"
          + " nothing. Exit code 0 only when everything can run."
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
    List<String> problems = new ArrayList<>();
    boolean resuming = Files.exists(loaded.journal().dir().resolve(Capture.OFFSETS_FILE));
    SourceCheck.Report report;
    List<TableSchema> schemas = new ArrayList<>();
    try (Connection connection = SourceConnection.open(loaded.source())) {
      report = SourceCheck.inspect(loaded.source(), connection, resuming);
      for (SourceTable table : report.tables()) {
        SourceCheck.describe(connection, table).ifPresent(schemas::add);
      }
    }
    out.println("# source: " + report.version());
    if (report.version().isSupported()) {
      out.println("# source: " + report.tables().size() + " tables to capture");
    }
    for (SourceTable table : report.tables()) {
      out.println(
          "#   "
              + table.name()
              + " (replica identity "
              + table.identity().name().toLowerCase(Locale.ROOT)
              + ")");
    }
    report.notes().forEach(note -> out.println("# note: " + note));
    report.problems().forEach(p -> problems.add(p.toString()));
    out.println("# targets:");
    for (TargetConfig target : loaded.targets().values()) {
      Optional<String> problem = Compatibility.checkTarget(target);
      out.println(
          "#   "
              + target.name()
              + " ("
              + target.dialect().yamlName()
              + "): "
              + problem.orElse("reachable"));
      problem.ifPresent(p -> problems.add("target " + target.name() + ": " + p));
    }
    for (RuleConfig rule : loaded.rules()) {
      printCompatibility(out, Compatibility.report(loaded, rule, schemas));
      Compatibility.checkAppend(loaded, rule, schemas).forEach(problems::add);
      problems.addAll(Compatibility.checkTypes(loaded, rule, schemas));
      problems.addAll(Compatibility.unappliable(rule, loaded.targetOf(rule).dialect(), schemas));
      if (rule.isBidirectional() && report.version().isSupported()) {
        try (Connection connection = SourceConnection.open(loaded.source())) {
          PeerCheck.Report peer = PeerCheck.check(loaded, rule, connection, schemas);
          out.println(
              "# rule "
                  + rule.name()
                  + ": bidirectional between "
                  + rule.node()
                  + " (here) and "
                  + rule.target());
          peer.warnings().forEach(w -> out.println("# warning: " + w));
          problems.addAll(peer.problems());
        }
      }
    }
    out.flush();
    if (!problems.isEmpty()) {
      throw new SetupException("not ready to run:\n  " + String.join("\n  ", problems));
    }
    out.println("# everything can run");
    out.flush();
    return ExitCode.OK;
  }

  private static void printCompatibility(PrintWriter out, List<Compatibility.Line> lines) {
    if (lines.isEmpty()) {
      return;
    }
    out.println("# rule " + lines.get(0).rule() + ": how each column arrives");
    String format = "#   %-32s %-28s -> %-24s %-9s %s%n";
    for (Compatibility.Line line : lines) {
      Fidelity fidelity = line.mapping().fidelity();
      out.printf(
          format,
          line.table() + "." + line.column(),
          line.sourceType(),
          line.targetTable() + ": " + line.mapping().targetType(),
          fidelity.name().toLowerCase(Locale.ROOT),
          line.mapping().note());
    }
  }
}
