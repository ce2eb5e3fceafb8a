package dev.sluice.apply;

import dev.sluice.apply.internal.ApplyLoop;
import dev.sluice.apply.internal.DeadLetters;
import dev.sluice.apply.internal.Target;
import dev.sluice.apply.internal.Targets;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.internal.Suggestions;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-applies a range of the journal to a rule's target, without moving the rule's checkpoint.
 * Applying is idempotent, so replaying history that the target already has changes nothing; a range
 * that ends before the rule's checkpoint leaves the replayed rows as they were at its end. Works
 * while the sidecar runs (the journal is read, not locked).
 */
public final class Replay {
  private Replay() {}

  /**
   * @param changes changes applied
   * @param byTable changes applied per source table
   * @param took how long it took
   * @param end the last position applied: the requested end, moved to where the source transaction
   *     that holds it ends (or, when the journal does not hold that end yet, to where the
   *     transaction before it ends); {@link JournalPosition#NONE} when nothing was applied
   */
  public record Result(long changes, Map<TableName, Long> byTable, Duration took, long end) {}

  /** Receives progress: changes applied so far, and how many the range holds. */
  public interface Progress {
    void applied(long changes, long total);
  }

  /**
   * Replays {@code [from, to]} (positions) into the rule's target, in whole source transactions: a
   * {@code to} inside a source transaction is moved to the end of that transaction, or, when the
   * journal does not hold that end when the replay starts, to the end of the transaction before it
   * (see {@link Result#end()}). {@code to} may be {@link JournalPosition#NONE}: the journal's end
   * when the replay starts.
   *
   * @throws SetupException on an unknown rule or a range the journal does not hold
   * @throws TargetException when the target fails
   * @throws RuleFailedException when the target refuses a change (the message names it)
   */
  public static Result run(
      SluiceConfig config, String ruleName, long from, long to, Progress progress)
      throws TargetException, RuleFailedException {
    RuleConfig rule =
        config
            .rule(ruleName)
            .orElseThrow(
                () ->
                    new SetupException(
                        "unknown rule '"
                            + ruleName
                            + "'"
                            + Suggestions.didYouMean(
                                ruleName, config.rules().stream().map(RuleConfig::name).toList())));
    Instant started = Instant.now();
    try (Journal journal = Journal.openReadOnly(config.journal().dir())) {
      long requested = to == JournalPosition.NONE ? journal.lastPosition() : to;
      long end =
          requested == JournalPosition.NONE || from > requested
              ? JournalPosition.NONE
              : ApplyLoop.wholeTransactionsEnd(journal, from, requested);
      if (end == JournalPosition.NONE || from > end) {
        return new Result(0, Map.of(), Duration.between(started, Instant.now()), end);
      }
      long total = journal.distance(from, end) + 1;
      AtomicLong applied = new AtomicLong();
      Map<TableName, Long> byTable = new TreeMap<>();
      ApplyLoop.Sink sink =
          new ApplyLoop.Sink() {
            @Override
            public void state(RuleState state) {}

            @Override
            public void committed(
                Checkpoint checkpoint, Map<Op, Long> counts, Map<TableName, Long> tables) {
              counts.values().forEach(applied::addAndGet);
              tables.forEach((table, count) -> byTable.merge(table, count, Long::sum));
              progress.applied(applied.get(), total);
            }

            @Override
            public void pending(long oldestCommitMicros) {}

            @Override
            public void caughtUp(boolean caughtUp) {}

            @Override
            public void missingRows(int count) {}

            @Override
            public void deadLettered(ChangeEvent change, String error) {}

            @Override
            public void syncStarted(String kind) {}

            @Override
            public void syncProgress(long rows) {}

            @Override
            public void syncFinished(String kind, String summary) {}

            @Override
            public void note(String message) {}
          };
      ApplyLoop.Range range = new ApplyLoop.Range(from, end, false);
      try (Target target = Targets.connect(config.targetOf(rule))) {
        ApplyLoop fast =
            new ApplyLoop(
                rule, target, journal, sink, () -> true, range, null, JournalPosition.NONE, null);
        try {
          fast.run();
        } catch (TargetException e) {
          if (e.isRetriable()) {
            throw e;
          }
          target.rollback();
          applied.set(0);
          byTable.clear();
          new ApplyLoop(
                  rule,
                  target,
                  journal,
                  sink,
                  () -> true,
                  range,
                  new DeadLetters(journal.dir(), rule.name()),
                  fast.lastRead() == JournalPosition.NONE ? Long.MAX_VALUE : fast.lastRead(),
                  null)
              .run();
        }
      } catch (ApplyLoop.Restart restart) {
        throw new TargetException(
            "replay needed DDL on the target in the middle of a transaction; run it again",
            true,
            restart);
      }
      return new Result(applied.get(), byTable, Duration.between(started, Instant.now()), end);
    }
  }
}
