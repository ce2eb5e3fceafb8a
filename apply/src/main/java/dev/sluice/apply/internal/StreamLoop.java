package dev.sluice.apply.internal;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.RuleState;
import dev.sluice.apply.StreamTarget;
import dev.sluice.apply.TargetException;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.RuleMode;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.journal.TableSchema;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of a rule whose target is a stream, from the checkpoint the broker holds until stopped
 * or until the broker fails.
 *
 * <ul>
 *   <li>Every change the rule covers is sent, one message each, in journal order: nothing is
 *       coalesced (a consumer sees each insert, update and delete). {@code append} sends inserts
 *       and snapshot rows only.
 *   <li>A commit (the broker has acknowledged everything sent) happens where a source transaction
 *       ends, after {@code batch.maxEvents} changes or {@code batch.maxDelay}, and at once when the
 *       journal has nothing more; the checkpoint also advances over changes the rule does not
 *       cover.
 *   <li>After a crash the pass starts after the last change the broker holds, which a commit may
 *       not have covered: nothing is sent twice, nothing is skipped.
 * </ul>
 *
 * <p>Used by one thread.
 */
public final class StreamLoop {
  private static final Logger LOG = LoggerFactory.getLogger(StreamLoop.class);
  private static final long MAX_IDLE_NANOS = 5_000_000;
  private static final long CHECKPOINT_ONLY_INTERVAL_NANOS = 1_000_000_000;

  private final RuleConfig rule;
  private final StreamTarget target;
  private final Journal journal;
  private final ApplyLoop.Sink sink;
  private final BooleanSupplier running;
  private final Map<Integer, TableSchema> projected = new HashMap<>();
  private final Map<Integer, int[]> kept = new HashMap<>();
  private final EnumMap<Op, Long> pendingCounts = new EnumMap<>(Op.class);
  private final Map<TableName, Long> pendingByTable = new HashMap<>();

  private Checkpoint committed;
  private Checkpoint boundary;
  private boolean inSourceTransaction;
  private long sent;
  private long batchStartNanos;
  private long lastCommitNanos = System.nanoTime();
  private long oldestPendingMicros;

  public StreamLoop(
      RuleConfig rule,
      StreamTarget target,
      Journal journal,
      ApplyLoop.Sink sink,
      BooleanSupplier running) {
    this.rule = rule;
    this.target = target;
    this.journal = journal;
    this.sink = sink;
    this.running = running;
  }

  /** Runs until stopped. */
  public void run() throws TargetException {
    try (JournalReader reader = journal.reader()) {
      position(reader);
      sink.state(RuleState.RUNNING);
      long idleNanos = 100_000;
      while (running.getAsBoolean()) {
        JournalEntry entry = next(reader);
        if (entry == null) {
          sink.caughtUp(true);
          if (!inSourceTransaction
              && (sent > 0
                  || (advanced()
                      && System.nanoTime() - lastCommitNanos > CHECKPOINT_ONLY_INTERVAL_NANOS))) {
            commit();
          }
          LockSupport.parkNanos(idleNanos);
          idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
          continue;
        }
        idleNanos = 100_000;
        sink.caughtUp(false);
        handle(entry);
        if (!inSourceTransaction
            && sent > 0
            && (sent >= rule.batch().maxEvents()
                || System.nanoTime() - batchStartNanos >= rule.batch().maxDelay().toNanos())) {
          commit();
        }
      }
      if (!inSourceTransaction && (sent > 0 || advanced())) {
        commit();
      }
    }
  }

  private void position(JournalReader reader) throws TargetException {
    committed = target.checkpoint().orElse(null);
    if (committed != null) {
      reader.seekAfter(committed.position());
      boundary = committed;
      return;
    }
    long start = ApplyLoop.seekStartOfNewRule(reader, journal);
    LOG.info(
        "rule {} has no checkpoint in its stream: it starts at {}",
        rule.name(),
        JournalPosition.format(start));
  }

  /** The next durable entry, or null. */
  private JournalEntry next(JournalReader reader) {
    JournalEntry entry = reader.next();
    if (entry == null) {
      return null;
    }
    long limit = journal.durablePosition();
    if (limit == JournalPosition.NONE || entry.position() > limit) {
      reader.seek(entry.position());
      return null;
    }
    return entry;
  }

  private void handle(JournalEntry entry) throws TargetException {
    if (entry instanceof Marker marker) {
      if (marker.kind() != Marker.Kind.CAPTURE_STARTED && !inSourceTransaction) {
        boundary = at(marker.position(), boundary);
      }
      return;
    }
    ChangeEvent change = (ChangeEvent) entry;
    if (rule.covers(change.table()) && sends(change.op())) {
      if (sent == 0) {
        batchStartNanos = System.nanoTime();
        oldestPendingMicros = change.commitTimeMicros();
        sink.pending(oldestPendingMicros);
      }
      target.send(project(change), rule.rename().get(change.table()));
      sent++;
      pendingCounts.merge(change.op(), 1L, Long::sum);
      pendingByTable.merge(change.table(), 1L, Long::sum);
    }
    if (change.isLastInTransaction()) {
      target.transactionEnd(change);
    }
    if (change.isLastInTransaction() || change.op() == Op.READ) {
      inSourceTransaction = false;
      long lsn =
          change.isLastInTransaction() ? change.commitLsn() : boundary == null ? 0 : boundary.lsn();
      boundary = new Checkpoint(change.position(), lsn, change.commitTimeMicros());
    } else {
      inSourceTransaction = true;
    }
  }

  private boolean sends(Op op) {
    return sends(rule.mode(), op);
  }

  /** Whether a rule of this mode sends a change of this kind to its stream. */
  public static boolean sends(RuleMode mode, Op op) {
    return mode != RuleMode.APPEND || op == Op.INSERT || op == Op.READ;
  }

  private static Checkpoint at(long position, Checkpoint previous) {
    return previous == null
        ? new Checkpoint(position, 0, 0)
        : new Checkpoint(position, previous.lsn(), previous.commitTimeMicros());
  }

  private boolean advanced() {
    return boundary != null && (committed == null || boundary.position() > committed.position());
  }

  private void commit() throws TargetException {
    if (boundary == null) {
      return;
    }
    target.commit(boundary);
    committed = boundary;
    lastCommitNanos = System.nanoTime();
    sink.committed(committed, new EnumMap<>(pendingCounts), new HashMap<>(pendingByTable));
    pendingCounts.clear();
    pendingByTable.clear();
    sent = 0;
    oldestPendingMicros = 0;
    sink.pending(0);
  }

  /** The change without the rule's excluded columns. */
  private ChangeEvent project(ChangeEvent change) {
    List<String> excluded = rule.excludeColumns().getOrDefault(change.table(), List.of());
    if (excluded.isEmpty()) {
      return change;
    }
    TableSchema schema = change.schema();
    int[] indexes =
        kept.computeIfAbsent(
            schema.id(),
            id -> {
              List<Integer> keep = new ArrayList<>();
              for (int i = 0; i < schema.columns().size(); i++) {
                Column column = schema.columns().get(i);
                if (column.isKey() || !excluded.contains(column.name())) {
                  keep.add(i);
                }
              }
              return keep.stream().mapToInt(Integer::intValue).toArray();
            });
    TableSchema narrow =
        projected.computeIfAbsent(
            schema.id(),
            id -> {
              List<Column> columns = new ArrayList<>();
              for (int i : indexes) {
                columns.add(schema.columns().get(i));
              }
              return new TableSchema(id, schema.table(), columns, schema.identity());
            });
    return new ChangeEvent(
        change.position(),
        narrow,
        change.op(),
        pick(change.before(), indexes),
        pick(change.after(), indexes),
        change.txId(),
        change.source(),
        change.commitLsn(),
        change.commitTimeMicros(),
        change.flags());
  }

  private static Object[] pick(Object[] row, int[] indexes) {
    if (row == null) {
      return null;
    }
    Object[] out = new Object[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      out[i] = row[indexes[i]];
    }
    return out;
  }
}
