package dev.sluice.apply;

import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every rule of a configuration, each applied independently by its own {@link Applier}: a slow or
 * failing target never holds back another rule. Rules can be added, removed and replaced while the
 * others run ({@link #add}, {@link #remove}, {@link #replace}). Thread-safe; changes are
 * serialised.
 */
public final class ApplyEngine implements AutoCloseable {
  private final Applier.Options options;
  private final Consumer<ApplyEvent> listener;
  private final List<Applier> appliers = new CopyOnWriteArrayList<>();

  private ApplyEngine(Applier.Options options, Consumer<ApplyEvent> listener) {
    this.options = options;
    this.listener = listener;
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
    ApplyEngine engine =
        new ApplyEngine(
            new Applier.Options(journal, config.source(), journaledLsn, listener), listener);
    for (RuleConfig rule : config.rules()) {
      engine.appliers.add(Applier.start(rule, config.targetOf(rule), engine.options));
    }
    return engine;
  }

  /**
   * Starts a rule while the others run: from its checkpoint in the target when it has one (a rule
   * that was removed and is added back resumes where it stopped), else as a new rule does at start.
   *
   * @throws IllegalArgumentException when a rule of that name runs
   */
  public synchronized void add(RuleConfig rule, TargetConfig target) {
    if (rule(rule.name()).isPresent()) {
      throw new IllegalArgumentException("rule " + rule.name() + " is already running");
    }
    appliers.add(Applier.start(rule, target, options));
  }

  /**
   * Stops a rule after its current batch (committed with its checkpoint when it ends a source
   * transaction; the checkpoint stays in the target) and forgets it. Emits {@code rule.removed}.
   *
   * @return whether such a rule was running
   */
  public synchronized boolean remove(String name, String why) {
    Optional<Applier> applier = rule(name);
    if (applier.isEmpty()) {
      return false;
    }
    applier.get().close();
    appliers.remove(applier.get());
    long stopped = applier.get().checkpointPosition();
    emit(
        name,
        "rule "
            + name
            + " stopped ("
            + why
            + ")"
            + (stopped == JournalPosition.NONE
                ? ""
                : "; its checkpoint stays in its target at journal position " + stopped));
    return true;
  }

  /** Stops a rule ({@link #remove}) and starts it again with new settings ({@link #add}). */
  public synchronized void replace(RuleConfig rule, TargetConfig target, String why) {
    remove(rule.name(), why);
    add(rule, target);
  }

  private void emit(String rule, String message) {
    try {
      listener.accept(new ApplyEvent(Instant.now(), "rule.removed", rule, message));
    } catch (RuntimeException e) {
      // a listener's failure is not the engine's
    }
  }

  public List<RuleStatus> status() {
    return appliers.stream().map(Applier::status).toList();
  }

  public Optional<Applier> rule(String name) {
    return appliers.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /**
   * The oldest journal position a rule still needs (so retention keeps it), or {@link
   * JournalPosition#NONE} when none is needed. A rule without a checkpoint yet needs everything. A
   * removed rule holds nothing back.
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
