package dev.sluice.apply;

import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every rule of a configuration, each applied independently by its own {@link Applier}: a slow or
 * failing target never holds back another rule. Thread-safe.
 */
public final class ApplyEngine implements AutoCloseable {
  private final List<Applier> appliers;

  private ApplyEngine(List<Applier> appliers) {
    this.appliers = List.copyOf(appliers);
  }

  /**
   * Starts one applier per rule.
   *
   * @param journaledLsn the LSN of the last change journaled (for lag in bytes)
   * @param listener receives the rules' activity events
   */
  public static ApplyEngine start(
      SluiceConfig config,
      Journal journal,
      LongSupplier journaledLsn,
      Consumer<ApplyEvent> listener) {
    List<Applier> appliers = new ArrayList<>();
    Applier.Options options = new Applier.Options(journal, config.source(), journaledLsn, listener);
    for (RuleConfig rule : config.rules()) {
      appliers.add(Applier.start(rule, config.targetOf(rule), options));
    }
    return new ApplyEngine(appliers);
  }

  public List<RuleStatus> status() {
    return appliers.stream().map(Applier::status).toList();
  }

  public Optional<Applier> rule(String name) {
    return appliers.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /**
   * The oldest journal position a rule still needs (so retention keeps it), or {@link
   * JournalPosition#NONE} when none is needed. A rule without a checkpoint yet needs everything.
   */
  public long oldestNeededPosition(Journal journal) {
    long oldest = Long.MAX_VALUE;
    for (Applier applier : appliers) {
      long position = applier.checkpointPosition();
      if (position == JournalPosition.NONE) {
        return journal.firstPosition();
      }
      oldest = Math.min(oldest, position);
    }
    return oldest == Long.MAX_VALUE ? JournalPosition.NONE : oldest;
  }

  /** Stops every rule after its current batch. */
  @Override
  public void close() {
    appliers.parallelStream().forEach(Applier::close);
  }
}
