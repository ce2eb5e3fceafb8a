package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.TargetException;
import dev.sluice.capture.Capture;
import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceConnection;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.JournalStats;
import dev.sluice.journal.Lsn;
import dev.sluice.journal.PendingTables;
import dev.sluice.journal.ValueText;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice status -c FILE [--json]}: capture, journal and rules at a glance. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show capture, the journal and every rule at a glance.",
      "Reads the journal, the source's slot and each rule's checkpoint in its target; works whether"
          + " or not the sidecar runs. --json prints the same for scripts."
    })
final class StatusCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Spec CommandSpec spec;

  /** One rule's figures. */
  record RuleLine(
      String name,
      String target,
      String dialect,
      String mode,
      String applied,
      String appliedLsn,
      String appliedAt,
      long lagChanges,
      double lagSeconds,
      String error) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    Optional<SourceCheck.SlotState> slot = Optional.empty();
    PostgresVersion version = null;
    String sourceError = null;
    try (Connection connection = SourceConnection.open(loaded.source())) {
      version = PostgresVersion.of(connection);
      slot = SourceCheck.slot(loaded.source(), connection);
    } catch (RuntimeException | java.sql.SQLException e) {
      sourceError = ErrorHandler.describe(e);
    }
    JournalStats stats = null;
    List<RuleLine> rules = new ArrayList<>();
    try (Journal journal = Journal.openReadOnly(loaded.journal().dir())) {
      stats = journal.stats();
      for (RuleConfig rule : loaded.rules()) {
        rules.add(rule(loaded, rule, journal));
      }
    } catch (dev.sluice.config.SetupException e) {
      sourceError = sourceError == null ? e.getMessage() : sourceError;
    }
    List<TableName> pending = PendingTables.read(loaded.journal().dir());
    String stored =
        Capture.storedPosition(loaded.journal().dir())
            .map(o -> String.valueOf(o.get("lsn")))
            .map(v -> Lsn.format(Long.parseLong(v)))
            .orElse("none");
    if (json) {
      printJson(out, loaded, version, slot, stored, pending, stats, rules, sourceError);
    } else {
      printTable(out, loaded, version, slot, stored, pending, stats, rules, sourceError);
    }
    out.flush();
    return ExitCode.OK;
  }

  private static RuleLine rule(SluiceConfig config, RuleConfig rule, Journal journal) {
    String dialect = config.targetOf(rule).dialect().yamlName();
    try {
      Optional<Checkpoint> checkpoint = Checkpoint.read(config.targetOf(rule), rule.name());
      long position = checkpoint.map(Checkpoint::position).orElse(JournalPosition.NONE);
      long lag = journal.distance(position, journal.lastPosition());
      double lagSeconds = 0;
      if (lag > 0) {
        try (JournalReader reader = journal.reader().seekAfter(position)) {
          for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
            if (entry instanceof ChangeEvent change) {
              lagSeconds =
                  Math.max(
                      0, (Instant.now().toEpochMilli() * 1000 - change.commitTimeMicros()) / 1e6);
              break;
            }
          }
        }
      }
      return new RuleLine(
          rule.name(),
          rule.target(),
          dialect,
          rule.mode().yamlName(),
          checkpoint.map(c -> JournalPosition.format(c.position())).orElse("-"),
          checkpoint.map(c -> Lsn.format(c.lsn())).orElse("-"),
          checkpoint
              .filter(c -> c.commitTimeMicros() > 0)
              .map(c -> ValueText.timestampTz(c.commitTimeMicros()))
              .orElse("-"),
          lag,
          lagSeconds,
          null);
    } catch (TargetException | RuntimeException e) {
      return new RuleLine(
          rule.name(),
          rule.target(),
          dialect,
          rule.mode().yamlName(),
          "-",
          "-",
          "-",
          -1,
          -1,
          ErrorHandler.describe(e));
    }
  }

  private static void printTable(
      PrintWriter out,
      SluiceConfig config,
      PostgresVersion version,
      Optional<SourceCheck.SlotState> slot,
      String stored,
      List<TableName> pending,
      JournalStats stats,
      List<RuleLine> rules,
      String error) {
    out.println(
        "source   "
            + (version == null
                ? "unknown"
                : version + version.note().map(n -> " (" + n + ")").orElse(""))
            + " at "
            + config.source().parsedUrl().host()
            + ":"
            + config.source().parsedUrl().port()
            + "/"
            + config.source().parsedUrl().database());
    out.println(
        "capture  slot "
            + config.source().slot()
            + ": "
            + slot.map(
                    s ->
                        (s.active() ? "active" : "idle")
                            + ", confirmed "
                            + s.confirmedFlushLsn()
                            + ", WAL retained "
                            + kilobytes(s.retainedBytes()))
                .orElse(error != null ? "unknown" : "missing")
            + ";  stored position "
            + stored);
    if (!pending.isEmpty()) {
      out.println(
          "pending  tables added to capture, their earlier rows not in the journal yet: "
              + String.join(", ", pending.stream().map(TableName::toString).toList())
              + " (read by a snapshot of their own while 'sluice run' runs)");
    }
    if (stats != null) {
      out.println(
          "journal  "
              + config.journal().dir()
              + ": "
              + JournalPosition.format(stats.firstPosition())
              + " .. "
              + JournalPosition.format(stats.lastPosition())
              + ", "
              + kilobytes(stats.sizeBytes())
              + " in "
              + stats.days()
              + " day files");
    }
    if (error != null) {
      out.println("note     " + error);
    }
    if (rules.isEmpty()) {
      out.println("rules    none");
      return;
    }
    String format = "%-20s %-14s %-10s %-7s %-14s %-14s %10s %9s  %s%n";
    out.printf(
        format, "RULE", "TARGET", "DIALECT", "MODE", "APPLIED", "COMMIT LSN", "LAG", "LAG (s)", "");
    for (RuleLine rule : rules) {
      out.printf(
          format,
          rule.name(),
          rule.target(),
          rule.dialect(),
          rule.mode(),
          rule.applied(),
          rule.appliedLsn(),
          rule.lagChanges() < 0 ? "?" : String.format("%,d", rule.lagChanges()),
          rule.lagSeconds() < 0 ? "?" : String.format("%.1f", rule.lagSeconds()),
          rule.error() == null ? "" : "error: " + rule.error());
    }
  }

  private static void printJson(
      PrintWriter out,
      SluiceConfig config,
      PostgresVersion version,
      Optional<SourceCheck.SlotState> slot,
      String stored,
      List<TableName> pending,
      JournalStats stats,
      List<RuleLine> rules,
      String error)
      throws IOException {
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeObjectFieldStart("capture");
      g.writeStringField("sourceVersion", version == null ? null : version.shortText());
      g.writeStringField("slot", config.source().slot());
      g.writeBooleanField("slotExists", slot.isPresent());
      g.writeBooleanField("active", slot.map(SourceCheck.SlotState::active).orElse(false));
      g.writeStringField(
          "confirmedLsn", slot.map(SourceCheck.SlotState::confirmedFlushLsn).orElse(null));
      g.writeNumberField(
          "walRetainedBytes", slot.map(SourceCheck.SlotState::retainedBytes).orElse(-1L));
      g.writeStringField("storedPosition", stored);
      g.writeArrayFieldStart("tablesPendingSnapshot");
      for (TableName table : pending) {
        g.writeString(table.toString());
      }
      g.writeEndArray();
      g.writeEndObject();
      if (stats != null) {
        g.writeObjectFieldStart("journal");
        g.writeStringField("dir", config.journal().dir().toString());
        g.writeStringField("firstPosition", JournalPosition.format(stats.firstPosition()));
        g.writeStringField("lastPosition", JournalPosition.format(stats.lastPosition()));
        g.writeNumberField("sizeBytes", stats.sizeBytes());
        g.writeNumberField("days", stats.days());
        g.writeEndObject();
      }
      g.writeArrayFieldStart("rules");
      for (RuleLine rule : rules) {
        g.writeStartObject();
        g.writeStringField("name", rule.name());
        g.writeStringField("target", rule.target());
        g.writeStringField("dialect", rule.dialect());
        g.writeStringField("mode", rule.mode());
        g.writeStringField("appliedPosition", rule.applied());
        g.writeStringField("appliedLsn", rule.appliedLsn());
        g.writeStringField("appliedCommitTime", rule.appliedAt());
        g.writeNumberField("lagChanges", rule.lagChanges());
        g.writeNumberField("lagSeconds", rule.lagSeconds());
        g.writeStringField("error", rule.error());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeStringField("error", error);
      g.writeEndObject();
    }
    out.println();
  }

  private static String kilobytes(long bytes) {
    return bytes < 0
        ? "?"
        : bytes < 1 << 20
            ? String.format("%,d KB", bytes / 1024)
            : String.format("%,.1f MB", bytes / 1048576.0);
  }
}
