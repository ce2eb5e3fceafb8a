package dev.sluice.apply;

import dev.sluice.apply.internal.AppendCheck;
import dev.sluice.apply.internal.ApplyLoop;
import dev.sluice.apply.internal.DeadLetters;
import dev.sluice.apply.internal.StreamLoop;
import dev.sluice.apply.internal.StreamTargets;
import dev.sluice.apply.internal.Target;
import dev.sluice.apply.internal.Targets;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.RuleMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.RecentRate;
import dev.sluice.journal.ValueText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies one rule: reads the journal from the rule's checkpoint (kept in its target) and writes
 * every covered change into the target, on a thread of its own, until closed.
 *
 * <p>Target failures that pass (connection lost, deadlock, target down) are retried with backoff
 * (100 ms doubling to 30 s) from the checkpoint; nothing is skipped and the lag grows meanwhile. A
 * change the target refuses stops the rule at that change (or, with {@code onError: skip}, goes to
 * the dead-letter file); other rules are not affected.
 *
 * <p>Thread-safe.
 */
public final class Applier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * What an applier needs besides its rule and target.
   *
   * @param journal the journal to read
   * @param source the source (for append mode's start-up check)
   * @param journaledLsn the LSN of the last change journaled (for the lag in bytes)
   * @param listener receives the rule's activity events (called on the rule's thread)
   */
  public record Options(
      Journal journal,
      SourceConfig source,
      LongSupplier journaledLsn,
      Consumer<ApplyEvent> listener) {}

  private final RuleConfig rule;
  private final TargetConfig target;
  private final Options options;
  private final DeadLetters deadLetters;
  private final Thread thread;
  private final Map<Op, AtomicLong> totals = new EnumMap<>(Op.class);
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong missingRows = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  /** Conflicts a bidirectional rule resolved since start, by source table. */
  private final java.util.concurrent.ConcurrentSkipListMap<String, AtomicLong> conflicts =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  private final RecentRate rate = new RecentRate();
  private final Deque<String> notes = new ArrayDeque<>();
  private volatile boolean running = true;
  private volatile RuleState state = RuleState.STARTING;
  private volatile Checkpoint checkpoint;
  private volatile long oldestPendingMicros;
  private volatile boolean caughtUp;
  private volatile String lastError;
  private volatile RuleStatus.Sync lastSync;

  private Applier(RuleConfig rule, TargetConfig target, Options options) {
    this.rule = rule;
    this.target = target;
    this.options = options;
    this.deadLetters = new DeadLetters(options.journal().dir(), rule.name());
    for (Op op : Op.values()) {
      totals.put(op, new AtomicLong());
    }
    this.thread = new Thread(this::run, "sluice-rule-" + rule.name());
  }

  /** Starts applying a rule in the background. */
  public static Applier start(RuleConfig rule, TargetConfig target, Options options) {
    Applier applier = new Applier(rule, target, options);
    applier.thread.start();
    return applier;
  }

  public String name() {
    return rule.name();
  }

  /**
   * The journal position of the rule's checkpoint, or {@link JournalPosition#NONE} before the
   * first.
   */
  public long checkpointPosition() {
    Checkpoint current = checkpoint;
    return current == null ? JournalPosition.NONE : current.position();
  }

  private void run() {
    MDC.put("rule", rule.name()); // every log line of this rule's thread names the rule
    emit(
        "rule.added",
        "rule "
            + rule.name()
            + " applies to "
            + target.name()
            + " ("
            + target.dialect().yamlName()
            + ", "
            + rule.mode().yamlName()
            + ")");
    if (target.dialect().isStream()) {
      runStream();
      return;
    }
    long backoffMillis = 100;
    boolean careful = false;
    long carefulFrom = Long.MIN_VALUE;
    long carefulUntil = JournalPosition.NONE;
    ApplyLoop pass = null;
    while (running) {
      pass = null;
      try (Target connection = Targets.connect(target)) {
        if (state == RuleState.RETRYING) {
          emit("rule.resumed", "target " + target.name() + " is reachable again");
        }
        ApplyLoop.TableCheck check =
            rule.mode() == RuleMode.APPEND
                ? mapping -> AppendCheck.check(options.source(), target, mapping)
                : null;
        ApplyLoop loop =
            new ApplyLoop(
                rule,
                connection,
                options.journal(),
                new StatusSink(),
                () -> running,
                ApplyLoop.Range.FOLLOW,
                deadLetters,
                careful ? carefulUntil : JournalPosition.NONE,
                check);
        pass = loop;
        loop.run();
        backoffMillis = 100;
      } catch (ApplyLoop.Restart restart) {
        LOG.info("rule {} restarts from its checkpoint: {}", rule.name(), restart.getMessage());
      } catch (TargetException e) {
        if (!e.isRetriable() && (!careful || checkpointPosition() != carefulFrom)) {
          careful = true;
          carefulFrom = checkpointPosition();
          carefulUntil = pass == null ? JournalPosition.NONE : pass.lastRead();
          LOG.warn(
              "rule {}: {}; finding the change the target refuses", rule.name(), e.getMessage());
          continue;
        }
        if (!e.isRetriable()) {
          fail(e.getMessage());
          return;
        }
        backoffMillis = pause(e, backoffMillis);
      } catch (RuleFailedException e) {
        fail(e.getMessage());
        return;
      } catch (RuntimeException e) {
        LOG.error("rule {} failed unexpectedly", rule.name(), e);
        fail("rule " + rule.name() + " failed: " + e);
        return;
      }
    }
    state = RuleState.STOPPED;
  }

  /**
   * The target failed in a way that may pass: the rule is paused (said once), waits {@code
   * backoffMillis} and returns the next, longer wait.
   */
  private long pause(TargetException e, long backoffMillis) {
    if (state != RuleState.RETRYING) {
      emit("rule.paused", "target " + target.name() + " failed, retrying: " + e.getMessage());
    }
    state = RuleState.RETRYING;
    lastError = e.getMessage();
    LOG.warn("rule {}: {} (retrying in {} ms)", rule.name(), e.getMessage(), backoffMillis);
    sleep(backoffMillis);
    return Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
  }

  /**
   * The loop of a rule whose target is a stream: a broker that fails or is down pauses the rule,
   * which retries with backoff from the checkpoint the broker holds.
   */
  private void runStream() {
    long backoffMillis = 100;
    while (running) {
      try (StreamTarget connection = StreamTargets.connect(target, rule.name(), sourceDatabase())) {
        if (state == RuleState.RETRYING) {
          emit("rule.resumed", "target " + target.name() + " is reachable again");
        }
        new StreamLoop(rule, connection, options.journal(), new StatusSink(), () -> running).run();
        backoffMillis = 100;
      } catch (TargetException e) {
        if (!e.isRetriable()) {
          fail(e.getMessage());
          return;
        }
        backoffMillis = pause(e, backoffMillis);
      } catch (RuntimeException e) {
        LOG.error("rule {} failed unexpectedly", rule.name(), e);
        fail("rule " + rule.name() + " failed: " + e);
        return;
      }
    }
    state = RuleState.STOPPED;
  }

  /** The source database's name, or empty when the source URL names none. */
  private String sourceDatabase() {
    try {
      return options.source() == null
          ? ""
          : dev.sluice.config.PostgresUrl.parse(options.source().url()).database();
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private void fail(String message) {
    state = RuleState.FAILED;
    lastError = message;
    LOG.error("{}", message);
    emit("rule.error", message);
  }

  private void sleep(long millis) {
    long deadline = System.currentTimeMillis() + millis;
    while (running && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(Math.min(50, millis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void emit(String type, String message) {
    try {
      options.listener().accept(new ApplyEvent(Instant.now(), type, rule.name(), message));
    } catch (RuntimeException e) {
      LOG.warn("an activity listener failed", e);
    }
  }

  /** Updates this applier's figures from its loop. */
  private final class StatusSink implements ApplyLoop.Sink {
    @Override
    public void state(RuleState newState) {
      state = newState;
      if (newState == RuleState.RUNNING) {
        lastError = null;
      }
    }

    @Override
    public void committed(
        Checkpoint newCheckpoint, Map<Op, Long> counts, Map<TableName, Long> byTable) {
      checkpoint = newCheckpoint;
      counts.forEach(
          (op, count) -> {
            totals.get(op).addAndGet(count);
            applied.addAndGet(count);
          });
    }

    @Override
    public void pending(long oldestCommitMicros) {
      oldestPendingMicros = oldestCommitMicros;
    }

    @Override
    public void caughtUp(boolean isCaughtUp) {
      caughtUp = isCaughtUp;
    }

    @Override
    public void missingRows(int count) {
      if (count > 0) {
        missingRows.addAndGet(count);
      }
    }

    @Override
    public void deadLettered(ChangeEvent change, String error) {
      deadLettered.incrementAndGet();
      LOG.warn("{} (written to {})", error, deadLetters.file());
      emit("rule.error", error + " (skipped into the dead-letter file)");
    }

    @Override
    public void conflict(TableName table, String message) {
      conflicts.computeIfAbsent(table.toString(), t -> new AtomicLong()).incrementAndGet();
      LOG.info("rule {}: {}", rule.name(), message);
    }

    @Override
    public void syncStarted(String kind) {
      lastSync = new RuleStatus.Sync(kind, Instant.now(), null, 0);
      if (kind.equals("resync")) {
        emit(
            "rule.resync.started",
            "resync of " + rule.name() + ": the mirror copy into " + target.name() + " started");
        return;
      }
      emit("rule.sync.start", kind + " copy into " + target.name() + " started");
    }

    @Override
    public void syncProgress(long rows) {
      RuleStatus.Sync sync = lastSync;
      if (sync != null) {
        lastSync = new RuleStatus.Sync(sync.kind(), sync.started(), null, rows);
      }
    }

    @Override
    public void syncFinished(String kind, String summary) {
      lastSync = ended(kind);
      if (kind.equals("resync")) {
        emit(
            "rule.resync.completed",
            "resync of " + rule.name() + " into " + target.name() + " completed: " + summary);
        return;
      }
      emit("rule.sync.done", kind + " copy into " + target.name() + " done: " + summary);
    }

    @Override
    public void syncAbandoned(String kind, String why) {
      lastSync = ended(kind);
      LOG.warn("rule {}: the {} was given up: {}", rule.name(), kind, why);
      emit("rule.resync.failed", "resync of " + rule.name() + " was given up: " + why);
    }

    /** The latest sync, ended now (its start and rows kept). */
    private RuleStatus.Sync ended(String kind) {
      RuleStatus.Sync sync = lastSync;
      return new RuleStatus.Sync(
          kind,
          sync == null ? Instant.now() : sync.started(),
          Instant.now(),
          sync == null ? 0 : sync.rows());
    }

    @Override
    public void note(String message) {
      LOG.warn("rule {}: {}", rule.name(), message);
      synchronized (notes) {
        if (!notes.contains(message)) {
          notes.addLast(message);
          if (notes.size() > 10) {
            notes.removeFirst();
          }
          emit("rule.error", message);
        }
      }
    }
  }

  private Map<String, Long> conflictCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    conflicts.forEach((table, count) -> counts.put(table, count.get()));
    return counts;
  }

  public RuleStatus status() {
    Checkpoint current = checkpoint;
    Journal journal = options.journal();
    long lagChanges =
        journal.distance(
            current == null ? JournalPosition.NONE : current.position(), journal.lastPosition());
    long journaled = options.journaledLsn().getAsLong();
    // rows of a snapshot carry no commit LSN: until a streamed change is applied, WAL lag is
    // unknown
    // and shown as 0 (lagChanges and lagSeconds still say how far behind the rule is)
    long lagBytes =
        current == null || journaled == 0 || current.lsn() == 0
            ? 0
            : Math.max(0, journaled - current.lsn());
    long oldest = oldestPendingMicros;
    double lagSeconds =
        (caughtUp && oldest == 0) || oldest == 0
            ? 0
            : Math.max(0, (Instant.now().toEpochMilli() * 1000 - oldest) / 1e6);
    Map<String, Long> byOp = new LinkedHashMap<>();
    totals.forEach((op, count) -> byOp.put(op.label(), count.get()));
    String error = lastError;
    if (error == null) {
      synchronized (notes) {
        error = notes.peekLast();
      }
    }
    return new RuleStatus(
        rule.name(),
        target.name(),
        target.dialect(),
        rule.mode(),
        state,
        current == null ? JournalPosition.NONE : current.position(),
        current == null ? 0 : current.lsn(),
        current == null || current.commitTimeMicros() == 0
            ? null
            : ValueText.toInstant(current.commitTimeMicros()),
        lagChanges,
        lagBytes,
        lagSeconds,
        rate.perSecond(applied.get()),
        byOp,
        missingRows.get(),
        deadLettered.get(),
        error,
        lastSync,
        conflictCounts());
  }

  /** Notes about source schema changes the target did not follow (dropped columns). */
  public List<String> notes() {
    synchronized (notes) {
      return List.copyOf(notes);
    }
  }

  /** Stops after the current batch (committed when it ends a source transaction). */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(Duration.ofSeconds(60).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("rule {} did not stop within 60 s", rule.name());
    } else if (state != RuleState.FAILED) {
      state = RuleState.STOPPED;
    }
  }

  @Override
  public String toString() {
    return "rule " + rule.name() + " (" + state.name().toLowerCase(Locale.ROOT) + ")";
  }
}
