package dev.sluice.cli;

import dev.sluice.apply.Replay;
import dev.sluice.apply.RuleFailedException;
import dev.sluice.apply.TargetException;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice replay -c FILE --rule R --from WHERE [--to WHERE]}. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-apply a range of the journal to a rule's target.",
      "Applying is idempotent, so history the target already has is rewritten unchanged. The rule's"
          + " checkpoint is not moved; the sidecar may keep running. A range ending before the rule's"
          + " checkpoint leaves the rows it touches as they were at its end."
    })
final class ReplayCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(
      names = "--rule",
      required = true,
      paramLabel = "RULE",
      description = "The rule whose target is written.")
  String rule;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "WHERE",
      description = "start | a position (20779:42) | lsn:X/Y | a time (2026-11-20T10:00:00Z).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "WHERE",
      description =
          "The last entry to apply (default: the journal's end); same forms as --from. A replay"
              + " applies whole source transactions: inside one, it applies up to its end.")
  String to;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws TargetException {
    org.slf4j.MDC.put("rule", rule); // every log line of this command names the rule
    PrintWriter out = spec.commandLine().getOut();
    SluiceConfig loaded = config.load();
    long start;
    long end;
    try (Journal journal = Journal.openReadOnly(loaded.journal().dir())) {
      start = JournalStart.resolve(from, journal);
      end = to == null ? journal.lastPosition() : JournalStart.resolve(to, journal);
      if (start == JournalPosition.NONE) {
        out.println("replay: nothing in the journal from " + from);
        out.flush();
        return ExitCode.OK;
      }
      if (start < journal.firstPosition()) {
        throw new SetupException(
            "--from "
                + from
                + " is before the journal's first position "
                + JournalPosition.format(journal.firstPosition())
                + " (older changes were removed by journal.retention)");
      }
    }
    out.println(
        "replay: rule "
            + rule
            + ", journal "
            + JournalPosition.format(start)
            + " to "
            + JournalPosition.format(end));
    ProgressLine progress = new ProgressLine("replay", out, ProgressLine.isTerminal());
    Replay.Result result;
    try {
      result = Replay.run(loaded, rule, start, end, progress::update);
    } catch (RuleFailedException e) {
      out.flush();
      throw new IllegalStateException(e.getMessage(), e);
    }
    progress.finish();
    if (result.end() != JournalPosition.NONE && result.end() > end) {
      out.println(
          "replay: "
              + JournalPosition.format(end)
              + " lies inside a source transaction; a replay applies whole transactions, so it"
              + " applied up to that transaction's end at "
              + JournalPosition.format(result.end()));
    } else if (result.end() != JournalPosition.NONE && result.end() < end) {
      out.println(
          "replay: "
              + JournalPosition.format(end)
              + " lies inside a source transaction whose end the journal did not hold yet; a replay"
              + " applies whole transactions, so it stopped at "
              + JournalPosition.format(result.end())
              + ", where the transaction before it ends");
    }
    out.printf(
        "replay: %,d changes applied in %.1f s%n",
        result.changes(), result.took().toMillis() / 1000.0);
    result.byTable().forEach((table, count) -> out.printf("  %-40s %,d%n", table, count));
    out.flush();
    return ExitCode.OK;
  }
}
