package dev.sluice.cli;

import dev.sluice.config.SetupException;
import dev.sluice.config.TablePattern;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.ChangeJson;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Op;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice tail}: the journal, one change per line. Needs only the journal directory. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print the journal, one change per line.",
      "JSON lines by default (--format text for people). Reads only the journal directory: no"
          + " database access is needed. Without --from it starts at the journal's start, or at its"
          + " end with --follow."
    })
final class TailCommand implements Callable<Integer> {
  @ArgGroup(multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "Read journal.dir from this configuration.")
    Path config;

    @Option(names = "--journal", paramLabel = "DIR", description = "The journal directory.")
    Path journal;
  }

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing changes as they arrive, until Ctrl-C.")
  boolean follow;

  @Option(
      names = "--from",
      paramLabel = "WHERE",
      description =
          "start | end | a position (20779:42) | lsn:X/Y | a time (2026-11-20T10:00:00Z).")
  String from;

  @Option(names = "--last", paramLabel = "N", description = "Start with the last N changes.")
  Integer last;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "Only changes of this table (repeatable; wildcards: inventory.*).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--op",
      paramLabel = "OPS",
      split = ",",
      description = "Only these operations: insert, update, delete, truncate, read.")
  List<String> ops = new ArrayList<>();

  @Option(
      names = "--format",
      paramLabel = "json|text",
      description = "json (default): JSON lines; text: for people.")
  String format = "json";

  @Option(
      names = "--markers",
      description = "Also print capture's markers (capture and snapshot start/end).")
  boolean markers;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (!format.equals("json") && !format.equals("text")) {
      throw new SetupException("--format " + format + " is not json or text");
    }
    List<TablePattern> patterns = new ArrayList<>();
    for (String table : tables) {
      try {
        patterns.add(TablePattern.parse(table));
      } catch (IllegalArgumentException e) {
        throw new SetupException("--table " + table + ": " + e.getMessage());
      }
    }
    Set<Op> wanted = EnumSet.noneOf(Op.class);
    for (String op : ops) {
      try {
        wanted.add(Op.parse(op));
      } catch (IllegalArgumentException e) {
        throw new SetupException("--op: " + e.getMessage());
      }
    }
    Path dir =
        source.journal != null ? source.journal : ConfigOption.load(source.config).journal().dir();
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stop = new CountDownLatch(1);
    if (follow) {
      Signals.onTerminate(stop::countDown);
    }
    try (Journal journal = Journal.openReadOnly(dir);
        JournalReader reader = journal.reader()) {
      position(reader, journal);
      while (true) {
        JournalEntry entry = reader.next();
        if (entry == null) {
          out.flush();
          if (!follow || stop.await(100, TimeUnit.MILLISECONDS)) {
            break;
          }
          continue;
        }
        if (matches(entry, patterns, wanted)) {
          out.println(format.equals("json") ? ChangeJson.toJson(entry) : TextFormat.format(entry));
        }
      }
    }
    out.flush();
    return ExitCode.OK;
  }

  private void position(JournalReader reader, Journal journal) {
    if (last != null) {
      long end = journal.lastPosition();
      if (end == JournalPosition.NONE) {
        reader.toEnd();
      } else {
        reader.seek(
            Math.max(
                journal.firstPosition(),
                JournalPosition.backWithinDay(end, Math.max(0, last - 1))));
      }
      return;
    }
    String where = from != null ? from : follow ? "end" : "start";
    long position = JournalStart.resolve(where, journal);
    if (position == JournalPosition.NONE) {
      reader.toEnd();
    } else {
      reader.seek(position);
    }
  }

  private boolean matches(JournalEntry entry, List<TablePattern> patterns, Set<Op> wanted) {
    if (!(entry instanceof ChangeEvent change)) {
      return markers && patterns.isEmpty() && wanted.isEmpty();
    }
    return (wanted.isEmpty() || wanted.contains(change.op()))
        && TablePattern.anyMatches(patterns, change.table());
  }
}
