package dev.sluice.cli;

import dev.sluice.apply.StreamVerifier;
import dev.sluice.apply.TargetException;
import dev.sluice.apply.Verifier;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.JournalPosition;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice verify -c FILE --rule R [--table T]}: exit 0 when equal, 1 when not. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Compare a rule's source tables with its target, row by row.",
      "For a rule into a stream (kafka: or nats:), read the stream back and compare the count and the last"
          + " journal position of its messages per table with the journal.",
      "Waits until replication has caught up, compares chunk digests and descends into differing"
          + " chunks to the row, re-checks differences once replication settled again, and prints"
          + " every missing, extra and different key. Exit code 0 when equal, 1 when not."
    })
public final class VerifyCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(
      names = "--rule",
      required = true,
      paramLabel = "RULE",
      description = "The rule to verify.")
  String rule;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Only this table (a pattern like public.orders).")
  String table;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      description = "How long to wait for replication to catch up (default 60s).")
  String wait = "60s";

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws SQLException, TargetException {
    org.slf4j.MDC.put("rule", rule); // every log line of this command names the rule
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    Duration settle;
    try {
      settle = dev.sluice.config.Durations.parse(wait);
    } catch (IllegalArgumentException e) {
      throw new dev.sluice.config.SetupException("--wait: " + e.getMessage());
    }
    if (loaded.rules().stream()
        .anyMatch(r -> r.name().equals(rule) && loaded.targetOf(r).dialect().isStream())) {
      StreamVerifier.Report report =
          StreamVerifier.verify(
              loaded,
              rule,
              Optional.ofNullable(table),
              settle,
              what -> {
                out.println("verify: " + what);
                out.flush();
              });
      print(report, out);
      out.flush();
      return report.equal() ? ExitCode.OK : ExitCode.FAILURE;
    }
    Verifier.Report report = verify(loaded, rule, Optional.ofNullable(table), settle, out);
    print(report, out);
    out.flush();
    return report.equal() ? ExitCode.OK : ExitCode.FAILURE;
  }

  /** Verifies with a progress line per table. */
  public static Verifier.Report verify(
      SluiceConfig config, String rule, Optional<String> table, Duration settle, PrintWriter out)
      throws SQLException, TargetException {
    boolean terminal = ProgressLine.isTerminal();
    ProgressLine[] line = {null};
    long[] estimate = {0};
    Verifier.Report report =
        Verifier.verify(
            config,
            rule,
            table,
            settle,
            new Verifier.Progress() {
              @Override
              public void table(TableName name, long estimatedRows) {
                if (line[0] != null) {
                  line[0].finish();
                }
                line[0] = new ProgressLine("verify " + name, out, terminal);
                estimate[0] = estimatedRows * 2;
              }

              @Override
              public void rows(long compared) {
                line[0].update(compared, Math.max(estimate[0], compared));
              }

              @Override
              public void waiting(String what) {
                if (line[0] != null) {
                  line[0].finish();
                  line[0] = null;
                }
                out.println("verify: " + what);
                out.flush();
              }
            });
    if (line[0] != null) {
      line[0].finish();
    }
    return report;
  }

  /** Prints a stream rule's report: a line per table, then the rule's verdict. */
  public static void print(StreamVerifier.Report report, PrintWriter out) {
    if (!report.settled()) {
      out.println(
          "note: the rule had not published up to "
              + JournalPosition.format(report.to())
              + " within --wait: the figures below may differ for that alone");
    }
    for (StreamVerifier.TableReport table : report.tables()) {
      out.printf(
          "%s %s: %,d changes in the journal (last %s), %,d messages in the stream (last %s)%n",
          table.equal() ? "EQUAL    " : "DIFFERENT",
          table.table(),
          table.journaled(),
          JournalPosition.format(table.journalLast()),
          table.held(),
          JournalPosition.format(table.heldLast()));
    }
    out.printf(
        "rule %s: %s (a stream is verified by the count and the last journal position of its"
            + " messages per table, from journal position %s to %s; values are not compared;"
            + " %.1f s)%n",
        report.rule(),
        report.equal()
            ? "the stream holds every change of the journal once"
            : "the stream and the journal differ",
        JournalPosition.format(report.from()),
        JournalPosition.format(report.to()),
        report.took().toMillis() / 1000.0);
  }

  /** Prints a report: a line per table, then the rule's verdict. */
  public static void print(Verifier.Report report, PrintWriter out) {
    if (!report.settled()) {
      out.println("note: " + report.note());
    }
    for (Verifier.TableReport table : report.tables()) {
      out.printf(
          "%s %s -> %s: %,d source rows, %,d target rows, %,d chunks (%,d differ)%s%n",
          table.equal() ? "EQUAL    " : "DIFFERENT",
          table.table(),
          table.target(),
          table.sourceRows(),
          table.targetRows(),
          table.chunks(),
          table.differingChunks(),
          table.equal() ? "" : String.format(", %,d rows differ", table.differenceCount()));
      for (Verifier.Difference difference : table.differences()) {
        out.printf(
            "  %-9s %s%s%n",
            difference.kind().name().toLowerCase(java.util.Locale.ROOT),
            difference.key(),
            difference.detail().isEmpty() ? "" : "  (" + difference.detail() + ")");
      }
      if (table.differenceCount() > table.differences().size()) {
        out.printf("  ... and %,d more%n", table.differenceCount() - table.differences().size());
      }
    }
    out.printf(
        "rule %s: %s (%,d rows compared in %.1f s, %,.0f rows/s; %.1f s in all, waiting for"
            + " replication included)%n",
        report.rule(),
        report.equal() ? "source and target are equal" : "source and target differ",
        report.compared(),
        report.comparing().toMillis() / 1000.0,
        report.rowsPerSecond(),
        report.took().toMillis() / 1000.0);
  }
}
