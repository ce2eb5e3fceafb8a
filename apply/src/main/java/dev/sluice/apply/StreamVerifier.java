package dev.sluice.apply;

import dev.sluice.apply.internal.ApplyLoop;
import dev.sluice.apply.internal.StreamLoop;
import dev.sluice.apply.internal.StreamTargets;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TablePattern;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code sluice verify} of a rule whose target is a stream: a stream has no rows to compare, so the
 * stream is read back and, per source table, the number of the rule's messages and the journal
 * position of the last one are compared with the changes the journal holds for the rule. Values are
 * not compared. The comparison starts at the journal's latest full snapshot (where a new rule
 * starts) and ends at the journal's last change when verify began, once the rule has published it.
 */
public final class StreamVerifier {
  private StreamVerifier() {}

  /** One table: what the journal holds for the rule and what the stream holds. */
  public record TableReport(
      TableName table, long journaled, long journalLast, long held, long heldLast) {
    public boolean equal() {
      return journaled == held && journalLast == heldLast;
    }
  }

  /**
   * @param from the first journal position compared
   * @param to the last journal position compared
   * @param settled whether the rule had published everything up to {@code to}
   */
  public record Report(
      String rule, List<TableReport> tables, long from, long to, boolean settled, Duration took) {
    public boolean equal() {
      return settled && tables.stream().allMatch(TableReport::equal);
    }
  }

  /**
   * @param table only tables matching this pattern, when present
   * @param settle how long to wait for the rule to publish what the journal holds
   * @param waiting told what verify waits for
   */
  public static Report verify(
      SluiceConfig config,
      String ruleName,
      Optional<String> table,
      Duration settle,
      Consumer<String> waiting)
      throws TargetException {
    Instant started = Instant.now();
    RuleConfig rule =
        config.rules().stream()
            .filter(r -> r.name().equals(ruleName))
            .findFirst()
            .orElseThrow(() -> new SetupException("unknown rule '" + ruleName + "'"));
    TargetConfig target = config.targetOf(rule);
    Optional<TablePattern> only = table.map(TablePattern::parse);
    try (Journal journal = Journal.openReadOnly(config.journal().dir());
        StreamTarget stream = StreamTargets.inspect(target, rule.name(), "")) {
      long to = journal.lastPosition();
      long from = Math.max(journal.firstPosition(), ApplyLoop.startOfNewRule(journal));
      boolean settled = awaitPublished(stream, to, settle, waiting);
      Map<TableName, long[]> journaled = new TreeMap<>();
      if (to != JournalPosition.NONE && from != JournalPosition.NONE) {
        try (JournalReader reader = journal.reader()) {
          reader.seek(from);
          for (JournalEntry entry = reader.next();
              entry != null && entry.position() <= to;
              entry = reader.next()) {
            if (entry instanceof ChangeEvent change
                && rule.covers(change.table())
                && StreamLoop.sends(rule.mode(), change.op())) {
              long[] counts = journaled.computeIfAbsent(change.table(), t -> new long[2]);
              counts[0]++;
              counts[1] = change.position();
            }
          }
        }
      }
      Map<TableName, StreamTarget.Held> held =
          from == JournalPosition.NONE ? Map.of() : stream.held(from, to);
      TreeSet<TableName> tables = new TreeSet<>(journaled.keySet());
      tables.addAll(held.keySet());
      List<TableReport> reports = new ArrayList<>();
      for (TableName name : tables) {
        if (only.isPresent() && !only.get().matches(name)) {
          continue;
        }
        long[] counts = journaled.getOrDefault(name, new long[] {0, JournalPosition.NONE});
        StreamTarget.Held h =
            held.getOrDefault(name, new StreamTarget.Held(0, JournalPosition.NONE));
        reports.add(new TableReport(name, counts[0], counts[1], h.messages(), h.lastPosition()));
      }
      return new Report(
          rule.name(), reports, from, to, settled, Duration.between(started, Instant.now()));
    }
  }

  private static boolean awaitPublished(
      StreamTarget stream, long to, Duration settle, Consumer<String> waiting)
      throws TargetException {
    Instant deadline = Instant.now().plus(settle);
    boolean told = false;
    while (true) {
      long published = stream.checkpoint().map(Checkpoint::position).orElse(JournalPosition.NONE);
      if (to == JournalPosition.NONE || published >= to) {
        return true;
      }
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      if (!told) {
        waiting.accept(
            "waiting up to "
                + settle.toSeconds()
                + " s for the rule to publish up to "
                + JournalPosition.format(to));
        told = true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
