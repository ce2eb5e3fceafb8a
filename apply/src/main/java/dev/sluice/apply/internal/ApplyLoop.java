package dev.sluice.apply.internal;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.RuleFailedException;
import dev.sluice.apply.RuleState;
import dev.sluice.apply.TargetException;
import dev.sluice.config.ConflictPolicy;
import dev.sluice.config.OnError;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.RuleMode;
import dev.sluice.config.SetupException;
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
import dev.sluice.journal.ValueText;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of a rule over the journal, from its checkpoint (or a given position) until stopped, to
 * a given end, or until the target fails.
 *
 * <ul>
 *   <li>A source transaction is never split: a target transaction ends only where a source
 *       transaction ended (several may be grouped, up to {@code batch.maxEvents} changes or {@code
 *       batch.maxDelay}, and at once when the journal has nothing more).
 *   <li>Memory stays bounded: changes are coalesced per key into chunks of at most {@code
 *       batch.maxEvents} and written as they fill; a larger source transaction keeps its target
 *       transaction open across chunks.
 *   <li>The checkpoint (journal position, commit LSN) is written in the same target transaction as
 *       the data.
 *   <li>In careful mode each change is applied alone behind a savepoint, so a change the target
 *       refuses is found: it stops the rule, or goes to the dead-letter file ({@code onError:
 *       skip}). Careful mode lasts until the pass has gone past the change where a faster pass
 *       failed ({@link #lastRead()} of that pass), then ends at the next commit.
 *   <li>A resync of this rule (a snapshot framed by markers naming it, {@link Marker#resyncRule})
 *       is applied as a mirror copy whatever the rule's mode: its rows are written, and at its end
 *       the target rows of its tables whose key it did not read are removed, in the transaction
 *       that moves the checkpoint past it. A pass that starts inside it starts again at its start.
 *       A streamed change or a capture start before its end means capture gave it up: the copy is
 *       abandoned (what it wrote stays; it was the source's). The rows of another rule's resync are
 *       passed over.
 * </ul>
 *
 * <p>Used by one thread.
 */
public final class ApplyLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyLoop.class);
  private static final long MAX_IDLE_NANOS = 5_000_000;
  private static final long CHECKPOINT_ONLY_INTERVAL_NANOS = 1_000_000_000;

  /** Receives what the loop does; called on the loop's thread. */
  public interface Sink {
    void state(RuleState state);

    /** A target transaction committed, with the changes it applied per operation and per table. */
    void committed(Checkpoint checkpoint, Map<Op, Long> applied, Map<TableName, Long> byTable);

    /** The commit time of the oldest change read but not committed yet (0 when none). */
    void pending(long oldestCommitMicros);

    void caughtUp(boolean caughtUp);

    void missingRows(int count);

    void deadLettered(ChangeEvent change, String error);

    void syncStarted(String kind);

    void syncProgress(long rows);

    void syncFinished(String kind, String summary);

    /** A copy of this kind was given up before its end (capture gave up its snapshot). */
    default void syncAbandoned(String kind, String why) {}

    void note(String message);

    /**
     * A bidirectional rule dropped a change because the peer's row is newer (last update wins).
     *
     * @param message the table, key, both commit times and the winner, for the log
     */
    default void conflict(TableName table, String message) {}
  }

  /**
   * The pass must start again from the checkpoint (after DDL that MySQL cannot do mid-transaction).
   */
  public static final class Restart extends Exception {
    private static final long serialVersionUID = 1L;

    public Restart(String message) {
      super(message);
    }
  }

  /**
   * A check of a table before a rule without a checkpoint writes it (append mode's prefix check).
   */
  @FunctionalInterface
  public interface TableCheck {
    /** Why the rule must not start writing this table, or empty. */
    java.util.Optional<String> check(TableMapping mapping) throws Exception;
  }

  /**
   * Where a pass starts and ends, and whether it keeps a checkpoint.
   *
   * @param from the first position to read, or {@link JournalPosition#NONE} to start after the
   *     target's checkpoint (or where a new rule starts)
   * @param to the last position to read, or {@link JournalPosition#NONE} to follow the journal
   * @param checkpointing whether commits write the rule's checkpoint (not for replay)
   */
  public record Range(long from, long to, boolean checkpointing) {
    public static final Range FOLLOW = new Range(JournalPosition.NONE, JournalPosition.NONE, true);
  }

  private final RuleConfig rule;
  private final Target target;
  private final Journal journal;
  private final Sink sink;
  private final BooleanSupplier running;
  private final Range range;
  private final DeadLetters deadLetters;
  private final boolean newerWins;
  private final TableCheck firstStartCheck;
  private final java.util.Set<TableName> checkedTables = new java.util.HashSet<>();

  /**
   * Whether the rule had no checkpoint when this pass began: the first-start check then looks at
   * each table before the pass first writes it, also after the pass has committed other entries.
   */
  private boolean firstStart;

  private boolean careful;
  private final long carefulUntil;
  private long lastRead = JournalPosition.NONE;

  private final Map<Integer, TableMapping> mappings = new HashMap<>();
  private final Map<TableName, TableMapping> latestByTable = new HashMap<>();
  private final Chunk chunk;
  private final Map<TableMapping, List<Object[]>> mirrorKeys = new LinkedHashMap<>();

  /** The snapshot's tables whose copy has begun (their first row arrived), by source table. */
  private final Map<TableName, TableMapping> mirrorTables = new LinkedHashMap<>();

  /** The snapshot's tables no row of which has arrived yet: each copy begins with its first. */
  private final java.util.Set<TableName> mirrorAwaited = new java.util.LinkedHashSet<>();

  private final EnumMap<Op, Long> pendingCounts = new EnumMap<>(Op.class);
  private final Map<TableName, Long> pendingByTable = new HashMap<>();

  private Checkpoint applied;
  private Checkpoint boundary;
  private boolean inSourceTransaction;
  private boolean dirty;
  private long batchChanges;
  private long batchStartNanos;
  private long lastCheckpointNanos = System.nanoTime();
  private long oldestPendingMicros;
  private boolean mirroring;
  private long syncRows;

  /** The kind of the copy in progress: {@code snapshot}, or {@code resync} (this rule's). */
  private String mirrorKind = "snapshot";

  /** The rule whose resync's snapshot is open at this point of the journal, or null. */
  private String resyncOf;

  /**
   * The delete half of a primary-key update, held until its insert half shows whether the row moves
   * with values the source did not send (then it is moved on the target, see {@link Target#move});
   * null when none is held.
   */
  private ChangeEvent heldKeyChange;

  private TableMapping heldMapping;

  /**
   * The insert of a bidirectional rule that {@link #admitted} wrote already (its key was absent),
   * for {@link #add} to count without writing it again; null when none.
   */
  private ChangeEvent writtenAhead;

  /**
   * @param deadLetters where {@code onError: skip} writes refused changes; null for none
   * @param firstStartCheck checks each table before a rule without a checkpoint writes it; null for
   *     none
   */
  public ApplyLoop(
      RuleConfig rule,
      Target target,
      Journal journal,
      Sink sink,
      BooleanSupplier running,
      Range range,
      DeadLetters deadLetters,
      long carefulUntil,
      TableCheck firstStartCheck) {
    this.rule = rule;
    this.target = target;
    this.journal = journal;
    this.sink = sink;
    this.running = running;
    this.range = range;
    this.deadLetters = deadLetters;
    this.carefulUntil = carefulUntil;
    this.careful = carefulUntil != JournalPosition.NONE;
    this.firstStartCheck = firstStartCheck;
    this.newerWins = rule.conflict() == ConflictPolicy.NEWER_WINS;
    this.chunk = new Chunk(rule.mode());
  }

  /**
   * The position of the last entry this pass read (the failing change, or after it, when it
   * failed), or {@link JournalPosition#NONE}.
   */
  public long lastRead() {
    return lastRead;
  }

  /** Runs until stopped, or to the range's end. */
  public void run() throws TargetException, RuleFailedException, Restart {
    try (JournalReader reader = journal.reader()) {
      position(reader);
      if (rule.isBidirectional()) {
        target.writeUnderOrigin(ChangeEvent.PEER_ORIGIN_PREFIX + rule.node());
      }
      sink.state(RuleState.RUNNING);
      long idleNanos = 100_000;
      while (running.getAsBoolean()) {
        JournalEntry entry = next(reader);
        if (entry == null) {
          if (range.to() != JournalPosition.NONE) {
            break; // replay: the range is read
          }
          sink.caughtUp(true);
          if (canCommit()) {
            commit();
          } else if (boundaryAdvanced()
              && System.nanoTime() - lastCheckpointNanos > CHECKPOINT_ONLY_INTERVAL_NANOS) {
            commit();
          }
          LockSupport.parkNanos(idleNanos);
          idleNanos = Math.min(idleNanos * 2, MAX_IDLE_NANOS);
          continue;
        }
        idleNanos = 100_000;
        sink.caughtUp(false);
        lastRead = entry.position();
        handle(entry);
        if (canCommit()
            && (careful
                || rule.isBidirectional() // one target transaction per source one: its commit time
                || batchChanges >= rule.batch().maxEvents()
                || System.nanoTime() - batchStartNanos >= rule.batch().maxDelay().toNanos())) {
          commit();
        }
      }
      if (canCommit() || (boundaryAdvanced() && !inSourceTransaction)) {
        releaseHeld();
        commit();
      } else {
        target.rollback();
      }
    }
  }

  private void position(JournalReader reader) throws TargetException {
    if (range.from() != JournalPosition.NONE) {
      reader.seek(range.from());
      return;
    }
    applied = target.checkpoint(rule.name()).orElse(null);
    firstStart = applied == null;
    if (applied != null) {
      long resyncStart = openResyncStart(applied.position());
      if (resyncStart != JournalPosition.NONE) {
        LOG.info(
            "rule {} stopped inside its resync: it copies again from its start at {}",
            rule.name(),
            JournalPosition.format(resyncStart));
        reader.seek(resyncStart);
      } else {
        reader.seekAfter(applied.position());
      }
      boundary = applied;
      return;
    }
    long start = seekStartOfNewRule(reader, journal);
    LOG.info(
        "rule {} has no checkpoint in its target: it starts at {}",
        rule.name(),
        JournalPosition.format(start));
  }

  /**
   * The start marker of this rule's resync when {@code position} lies inside it (at its start,
   * before its end), else {@link JournalPosition#NONE}. A resync whose snapshot capture gave up (a
   * capture start or a streamed change follows its start) is not one.
   */
  private long openResyncStart(long position) {
    if (!range.checkpointing()) {
      return JournalPosition.NONE;
    }
    long start = JournalPosition.NONE;
    for (Marker marker : journal.markers()) {
      if (marker.position() > position) {
        break;
      }
      if (marker.kind() == Marker.Kind.SNAPSHOT_STARTED
          && rule.name().equals(marker.resyncRule())) {
        start = marker.position();
      } else {
        start = JournalPosition.NONE; // its end, a capture start or another snapshot
      }
    }
    if (start == JournalPosition.NONE || start < journal.firstPosition()) {
      return JournalPosition.NONE;
    }
    try (JournalReader earlier = journal.reader()) {
      earlier.seek(start);
      for (JournalEntry entry = earlier.next();
          entry != null && entry.position() <= position;
          entry = earlier.next()) {
        if (entry instanceof ChangeEvent change && change.op() != Op.READ) {
          return JournalPosition.NONE; // capture gave it up
        }
      }
    }
    return start;
  }

  /**
   * Positions {@code reader} where a rule without a checkpoint starts ({@link #startOfNewRule}).
   *
   * @return that position, or {@link JournalPosition#NONE} for the journal's start
   */
  static long seekStartOfNewRule(JournalReader reader, Journal journal) {
    long start = startOfNewRule(journal);
    if (start == JournalPosition.NONE) {
      reader.seekAfter(JournalPosition.NONE);
    } else {
      reader.seek(start);
    }
    return start;
  }

  /**
   * Where a rule without a checkpoint starts: at the journal's latest snapshot of every captured
   * table (so the target gets every row), or at the journal's start when it holds none.
   */
  public static long startOfNewRule(Journal journal) {
    List<Marker> markers = journal.markers();
    for (int i = markers.size() - 1; i >= 0; i--) {
      if (markers.get(i).startsFullSnapshot()) {
        return markers.get(i).position();
      }
    }
    return journal.firstPosition();
  }

  /**
   * Where a pass from {@code from} that must end at {@code to} ends without splitting a source
   * transaction: {@code to} itself when a source transaction (or a snapshot row, or a marker
   * between transactions) ends there; else the end of the transaction that holds {@code to}; and
   * when the journal does not hold that end yet (it is still being written, or capture stopped
   * inside it), the last end before {@code to}. Reads only what the journal holds when called, so
   * it returns at once whatever is appended meanwhile.
   *
   * @return the last position to apply, or {@link JournalPosition#NONE} when no transaction ends in
   *     {@code [from, last position]}
   */
  public static long wholeTransactionsEnd(Journal journal, long from, long to) {
    long last = journal.lastPosition();
    if (last == JournalPosition.NONE || from > last) {
      return JournalPosition.NONE;
    }
    long end = Math.min(to, last);
    try (JournalReader reader = journal.reader()) {
      reader.seek(end);
      if (reader.next() instanceof ChangeEvent change
          && (change.isLastInTransaction() || change.op() == Op.READ)) {
        return end;
      }
      reader.seek(from);
      boolean inTransaction = false;
      long lastEnd = JournalPosition.NONE;
      for (JournalEntry entry = reader.next();
          entry != null && entry.position() <= last;
          entry = reader.next()) {
        if (entry instanceof ChangeEvent change) {
          inTransaction = !(change.isLastInTransaction() || change.op() == Op.READ);
        } else if (((Marker) entry).kind() == Marker.Kind.CAPTURE_STARTED) {
          continue;
        }
        if (!inTransaction) {
          if (entry.position() >= end) {
            return entry.position();
          }
          lastEnd = entry.position();
        }
      }
      return lastEnd;
    }
  }

  /** The next entry this pass may act on: durable, and within the range. */
  private JournalEntry next(JournalReader reader) {
    JournalEntry entry = reader.next();
    if (entry == null) {
      return null;
    }
    long limit = range.to() != JournalPosition.NONE ? range.to() : journal.durablePosition();
    if (limit == JournalPosition.NONE || entry.position() > limit) {
      reader.seek(entry.position());
      return null;
    }
    return entry;
  }

  private void handle(JournalEntry entry) throws TargetException, RuleFailedException, Restart {
    if (entry instanceof Marker marker) {
      handleMarker(marker);
      return;
    }
    ChangeEvent change = (ChangeEvent) entry;
    if (resyncOf != null && change.op() != Op.READ) {
      abandonResync("capture streamed changes before its snapshot completed");
    }
    boolean othersResync = resyncOf != null && !resyncOf.equals(rule.name());
    if (rule.covers(change.table())
        && !othersResync
        && !(rule.isBidirectional() && change.has(ChangeEvent.FROM_PEER))) {
      apply(change);
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

  private void handleMarker(Marker marker) throws TargetException, RuleFailedException, Restart {
    if (marker.kind() == Marker.Kind.CAPTURE_STARTED) {
      abandonResync("capture restarted before its snapshot completed");
      return; // capture may restart inside a source transaction: not a boundary
    }
    String resync = marker.resyncRule();
    if (marker.kind() == Marker.Kind.SNAPSHOT_STARTED) {
      abandonResync("another snapshot started before it completed");
    }
    if (resync != null) {
      handleResyncMarker(marker, resync);
      return;
    }
    if (marker.kind() == Marker.Kind.SNAPSHOT_STARTED) {
      if (rule.mode() == RuleMode.MIRROR && range.checkpointing()) {
        startMirror(marker, "snapshot");
      } else if (rule.mode() == RuleMode.CDC) {
        forgetAbandonedSnapshot(marker);
      }
      if (!inSourceTransaction) {
        boundary = at(marker.position());
      }
      return;
    }
    if (mirroring) {
      finishMirror(marker);
    } else if (!inSourceTransaction) {
      boundary = at(marker.position());
    }
  }

  /**
   * A marker of a resync: this rule's starts or ends a mirror copy; another rule's only frames rows
   * to pass over.
   */
  private void handleResyncMarker(Marker marker, String resync)
      throws TargetException, RuleFailedException, Restart {
    boolean mine = resync.equals(rule.name()) && range.checkpointing();
    if (marker.kind() == Marker.Kind.SNAPSHOT_STARTED) {
      resyncOf = resync;
      if (mine) {
        startMirror(marker, "resync");
      }
      if (!inSourceTransaction) {
        boundary = at(marker.position());
      }
      return;
    }
    boolean open = resync.equals(resyncOf);
    resyncOf = null;
    if (mine && open && mirroring) {
      finishMirror(marker);
    } else if (!inSourceTransaction) {
      boundary = at(marker.position());
    }
  }

  /**
   * Capture gave up the resync whose snapshot is open (see the class comment): this rule's copy, if
   * it is the one, is abandoned; what it wrote stays.
   */
  private void abandonResync(String why) {
    if (resyncOf == null) {
      return;
    }
    boolean mine = resyncOf.equals(rule.name()) && mirroring && mirrorKind.equals("resync");
    resyncOf = null;
    if (!mine) {
      return;
    }
    mirrorKeys.clear();
    mirrorTables.clear();
    mirrorAwaited.clear();
    mirroring = false;
    mirrorKind = "snapshot";
    sink.syncAbandoned("resync", why + " (" + syncRows + " rows copied)");
    sink.state(RuleState.RUNNING);
  }

  /**
   * A snapshot taken again because the one before it never completed (capture was killed while
   * reading): the rows that the abandoned snapshot read are deleted first, then the complete
   * snapshot writes every row that exists. Without this, a row the abandoned snapshot read and the
   * source deleted before the new snapshot would stay on the target for ever (no change in the
   * journal deletes it). Rows of the target that never came from the source are left alone.
   */
  private void forgetAbandonedSnapshot(Marker marker)
      throws TargetException, RuleFailedException, Restart {
    long abandoned = JournalPosition.NONE;
    for (Marker earlier : journal.markers()) {
      if (earlier.position() >= marker.position()) {
        break;
      }
      if (earlier.resyncRule() != null) {
        continue; // a resync's rows are the source's as they are, taken again or not
      }
      if (earlier.kind() == Marker.Kind.SNAPSHOT_STARTED) {
        abandoned = earlier.position();
      } else if (earlier.kind() == Marker.Kind.SNAPSHOT_COMPLETED) {
        abandoned = JournalPosition.NONE;
      }
    }
    if (abandoned == JournalPosition.NONE || abandoned < journal.firstPosition()) {
      return;
    }
    try (JournalReader earlier = journal.reader()) {
      earlier.seek(abandoned);
      for (JournalEntry entry = earlier.next();
          entry != null && entry.position() < marker.position();
          entry = earlier.next()) {
        if (entry instanceof ChangeEvent read
            && read.op() == Op.READ
            && rule.covers(read.table())) {
          apply(
              new ChangeEvent(
                  read.position(),
                  read.schema(),
                  Op.DELETE,
                  read.after(),
                  null,
                  read.txId(),
                  read.source(),
                  0,
                  read.commitTimeMicros(),
                  0));
        }
      }
    }
  }

  /**
   * A snapshot starts: the copy of each covered table begins with that table's first row, whose
   * schema it carries. Capture writes the marker before it reads any row, so the schema of a table
   * later in the snapshot is not in the journal yet when the marker is read.
   */
  private void startMirror(Marker marker, String kind) throws TargetException {
    if (canCommit()) {
      commit();
    }
    mirrorKind = kind;
    mirrorTables.clear();
    mirrorKeys.clear();
    mirrorAwaited.clear();
    for (TableName table : marker.tables()) {
      if (rule.covers(table)) {
        mirrorAwaited.add(table);
      }
    }
    mirroring = !mirrorAwaited.isEmpty();
    if (mirroring) {
      syncRows = 0;
      sink.state(RuleState.SYNCING);
      sink.syncStarted(kind);
    }
  }

  /**
   * The first row of a table in the snapshot: its copy begins (the keys of an earlier, unfinished
   * copy are forgotten). What is written so far is committed first, as a target without
   * transactional DDL commits when the copy's work table is made.
   */
  private void beginMirror(TableMapping mapping) throws TargetException {
    if (canCommit()) {
      commit();
    }
    target.mirrorBegin(mapping);
    mirrorTables.put(mapping.source().table(), mapping);
  }

  /** Records a snapshot row's key, so that the copy's end keeps the target row of that key. */
  private void seenByMirror(TableMapping mapping, ChangeEvent change) {
    TableMapping mirrored = mirrorTables.get(change.table());
    if (mirroring && change.op() == Op.READ && mirrored != null) {
      mirrorKeys
          .computeIfAbsent(mirrored, m -> new ArrayList<>())
          .add(mapping.keyOf(mapping.project(change.after())));
      syncRows++;
    }
  }

  /**
   * The snapshot is complete: the target rows whose key it did not have are removed, in the
   * transaction that moves the checkpoint past it. A table no row of which arrived was empty on the
   * source, so its target rows are all removed, when its columns are known from the journal; when
   * they are not (no change of it was ever journaled), its target rows are left as they are and the
   * summary says so.
   */
  private void finishMirror(Marker marker) throws TargetException, RuleFailedException, Restart {
    flushChunk();
    List<TableName> unknown = new ArrayList<>();
    if (!mirrorAwaited.isEmpty() && canCommit()) {
      commit(); // the DDL of a table met only now must not fall inside a transaction (see mapping)
    }
    for (TableName table : mirrorAwaited) {
      TableSchema schema = latestSchema(table);
      if (schema == null) {
        unknown.add(table);
        continue;
      }
      TableMapping mapping;
      try {
        mapping = mapping(schema);
      } catch (SetupException e) {
        throw new RuleFailedException(e.getMessage(), e);
      }
      target.mirrorBegin(mapping);
      mirrorTables.put(table, mapping);
    }
    long deleted = 0;
    for (TableMapping mapping : mirrorTables.values()) {
      deleted += target.mirrorFinish(mapping);
    }
    boundary = at(marker.position());
    commit();
    mirroring = false;
    mirrorAwaited.clear();
    String kind = mirrorKind;
    mirrorKind = "snapshot";
    String summary = syncRows + " rows copied, " + deleted + " rows that left the source removed";
    if (!unknown.isEmpty()) {
      summary +=
          "; "
              + String.join(", ", unknown.stream().map(TableName::toString).toList())
              + (unknown.size() == 1 ? " was" : " were")
              + " empty and not journaled yet: target rows, if any, are kept";
    }
    sink.syncFinished(kind, summary);
    sink.state(RuleState.RUNNING);
  }

  private TableSchema latestSchema(TableName table) {
    TableSchema latest = null;
    for (TableSchema schema : journal.schemas()) {
      if (schema.table().equals(table)) {
        latest = schema;
      }
    }
    return latest;
  }

  private static Checkpoint at(long position) {
    return new Checkpoint(position, 0, 0);
  }

  private void apply(ChangeEvent change) throws TargetException, RuleFailedException, Restart {
    TableMapping mapping;
    try {
      mapping = mapping(change.schema());
    } catch (SetupException e) {
      throw new RuleFailedException(e.getMessage(), e);
    }
    if (mirroring && change.op() == Op.READ && mirrorAwaited.remove(change.table())) {
      beginMirror(mapping);
    }
    if (rule.isBidirectional() && !admitted(mapping, change)) {
      return;
    }
    if (batchChanges == 0) {
      oldestPendingMicros = change.commitTimeMicros();
      batchStartNanos = System.nanoTime();
      sink.pending(oldestPendingMicros);
    }
    batchChanges++;
    pendingByTable.merge(change.table(), 1L, Long::sum);
    if (change.op() == Op.TRUNCATE && rule.mode() == RuleMode.APPEND) {
      return; // append keeps every row it inserted, as it ignores updates and deletes
    }
    if (change.op() == Op.TRUNCATE) {
      releaseHeld();
      flushChunk();
      target.truncate(mapping);
      dirty = true;
      pendingCounts.merge(Op.TRUNCATE, 1L, Long::sum);
      return;
    }
    if (heldKeyChange != null) {
      ChangeEvent old = heldKeyChange;
      TableMapping oldMapping = heldMapping;
      heldKeyChange = null;
      heldMapping = null;
      if (change.has(ChangeEvent.KEY_CHANGE_NEW)
          && change.after() != null
          && change.table().equals(old.table())
          && RowOp.hasUnchanged(mapping.project(change.after()))) {
        move(oldMapping, old, mapping, change);
        return;
      }
      add(oldMapping, old);
    }
    if (change.has(ChangeEvent.KEY_CHANGE_OLD)
        && change.op() == Op.DELETE
        && change.before() != null
        && rule.mode() != RuleMode.APPEND) {
      heldKeyChange = change;
      heldMapping = mapping;
      return;
    }
    add(mapping, change);
  }

  /** Last update wins: whether a bidirectional rule writes the change over the peer's row. */
  private boolean admitted(TableMapping mapping, ChangeEvent change) throws TargetException {
    if (change.op() != Op.INSERT && change.op() != Op.UPDATE) {
      return true;
    }
    flushChunk(); // the row as this transaction left it so far (a held key change is another key)
    Object[] row = mapping.project(change.after());
    Object[] key = mapping.keyOf(row);
    Optional<Target.RowWrite> existing = target.lastWrite(mapping, key);
    if (existing.isEmpty() && change.op() == Op.INSERT) {
      // no row lock guards an absent key: the insert is written now, unless the application
      // inserted the key meanwhile (the insert waits for it); then that row, committed now, is
      // decided on like any other
      if (target.insertIfAbsent(mapping, row)) {
        writtenAhead = change;
        return true;
      }
      existing = target.lastWrite(mapping, key);
    }
    boolean incomingFirst = rule.node().compareTo(rule.target()) < 0;
    LastUpdateWins.Decision decision =
        LastUpdateWins.decide(change.op(), existing, change.commitTimeMicros(), incomingFirst);
    if (decision.conflict() != null) {
      sink.conflict(
          change.table(),
          "conflict on "
              + change.table()
              + " key "
              + java.util.Arrays.toString(key)
              + ": "
              + change.op().label()
              + " from "
              + rule.node()
              + " committed "
              + ValueText.timestampTz(change.commitTimeMicros())
              + ", row on "
              + rule.target()
              + (existing.isEmpty()
                  ? " deleted"
                  : " written " + ValueText.timestampTz(existing.get().commitMicros()))
              + "; winner "
              + rule.target()
              + " ("
              + decision.conflict()
              + ")");
    }
    return decision.apply();
  }

  /** Adds what is held back, when its pair did not come: it is a plain delete. */
  private void releaseHeld() throws TargetException, RuleFailedException {
    if (heldKeyChange != null) {
      ChangeEvent old = heldKeyChange;
      heldKeyChange = null;
      add(heldMapping, old);
      heldMapping = null;
    }
  }

  /**
   * A primary-key update whose new row lacks unchanged TOASTed values: the row is moved on the
   * target (copied to the new key with the values sent, the old one deleted), after every change
   * before it, so that the values the source did not send come from the old row.
   */
  private void move(
      TableMapping oldMapping, ChangeEvent old, TableMapping mapping, ChangeEvent change)
      throws TargetException, RuleFailedException {
    flushChunk();
    Object[] row = mapping.project(change.after());
    Object[] fromKey = oldMapping.keyOf(oldMapping.project(old.before()));
    RowOp op =
        new RowOp(
            RowOp.Kind.UPDATE,
            mapping.keyOf(row),
            row,
            change.commitTimeMicros(),
            change.position());
    if (careful) {
      target.savepoint();
    }
    try {
      sink.missingRows(target.move(mapping, fromKey, op, newerWins));
    } catch (TargetException e) {
      if (!careful || e.isRetriable()) {
        throw e;
      }
      target.rollbackToSavepoint();
      refused(change, e);
      return;
    }
    dirty = true;
    pendingCounts.merge(Op.DELETE, 1L, Long::sum);
    pendingCounts.merge(Op.INSERT, 1L, Long::sum);
  }

  private void add(TableMapping mapping, ChangeEvent change)
      throws TargetException, RuleFailedException {
    if (change == writtenAhead) {
      writtenAhead = null;
      dirty = true;
      pendingCounts.merge(change.op(), 1L, Long::sum);
      seenByMirror(mapping, change);
      return;
    }
    if (careful) {
      applyAlone(mapping, change);
      seenByMirror(mapping, change);
      return;
    }
    if (chunk.add(mapping, change)) {
      pendingCounts.merge(change.op(), 1L, Long::sum);
      seenByMirror(mapping, change);
      if (chunk.changes() >= rule.batch().maxEvents()) {
        flushChunk();
      }
    }
  }

  /** Careful mode: the change alone, behind a savepoint. */
  private void applyAlone(TableMapping mapping, ChangeEvent change)
      throws TargetException, RuleFailedException {
    Chunk single = new Chunk(rule.mode());
    if (!single.add(mapping, change)) {
      return;
    }
    target.savepoint();
    try {
      for (Map.Entry<TableMapping, List<RowOp>> entry : single.operations().entrySet()) {
        sink.missingRows(target.write(entry.getKey(), entry.getValue(), newerWins));
      }
      dirty = true;
      pendingCounts.merge(change.op(), 1L, Long::sum);
    } catch (TargetException e) {
      if (e.isRetriable()) {
        throw e;
      }
      target.rollbackToSavepoint();
      refused(change, e);
    }
  }

  /** A change the target refused: to the dead-letter file, or the rule stops. */
  private void refused(ChangeEvent change, TargetException e) throws RuleFailedException {
    String failure =
        "rule "
            + rule.name()
            + " could not apply "
            + change.op().label()
            + " of "
            + change.table()
            + " key "
            + java.util.Arrays.toString(change.key())
            + " at journal position "
            + JournalPosition.format(change.position())
            + ": "
            + e.getMessage();
    if (rule.onError() == OnError.SKIP && deadLetters != null) {
      deadLetters.write(rule.name(), change, e.getMessage());
      sink.deadLettered(change, failure);
      return;
    }
    throw new RuleFailedException(failure, e);
  }

  private TableMapping mapping(TableSchema schema)
      throws TargetException, Restart, RuleFailedException {
    TableMapping known = mappings.get(schema.id());
    if (known != null) {
      return known;
    }
    TableMapping mapping = TableMapping.of(rule, target.dialect(), schema);
    TableMapping previous = latestByTable.get(schema.table());
    if (target.needsPreparation(mapping, previous, newerWins)) {
      if (!target.transactionalDdl() && (dirty || !chunk.isEmpty())) {
        target.rollback();
        target.prepare(mapping, previous, newerWins);
        throw new Restart("the target needed DDL in the middle of a transaction");
      }
      flushChunk();
      for (String ddl : target.prepare(mapping, previous, newerWins)) {
        LOG.info("rule {}: {}", rule.name(), ddl);
      }
    }
    target.takeNotes().forEach(sink::note);
    if (previous != null) {
      for (Column column : previous.columns()) {
        if (mapping.columns().stream().noneMatch(c -> c.name().equals(column.name()))) {
          sink.note(
              "column "
                  + column.name()
                  + " of "
                  + schema.table()
                  + " was dropped on the source; the target keeps its"
                  + " data, and new rows leave it empty");
        }
      }
    }
    if (firstStartCheck != null
        && firstStart
        && range.checkpointing()
        && checkedTables.add(schema.table())) {
      java.util.Optional<String> problem;
      try {
        problem = firstStartCheck.check(mapping);
      } catch (Exception e) {
        throw new TargetException(
            "cannot check " + mapping.target() + " before the first start: " + e.getMessage(),
            true,
            e);
      }
      if (problem.isPresent()) {
        throw new RuleFailedException(
            "rule " + rule.name() + " refuses to start: " + problem.get(), null);
      }
    }
    mappings.put(schema.id(), mapping);
    latestByTable.put(schema.table(), mapping);
    return mapping;
  }

  private void flushChunk() throws TargetException {
    if (chunk.isEmpty() && mirrorKeys.isEmpty()) {
      return;
    }
    for (Map.Entry<TableMapping, List<RowOp>> entry : chunk.operations().entrySet()) {
      sink.missingRows(target.write(entry.getKey(), entry.getValue(), newerWins));
    }
    for (Map.Entry<TableMapping, List<Object[]>> entry : mirrorKeys.entrySet()) {
      target.mirrorSeen(entry.getKey(), entry.getValue());
    }
    if (mirroring) {
      sink.syncProgress(syncRows);
    }
    chunk.clear();
    mirrorKeys.clear();
    dirty = true;
  }

  private boolean canCommit() {
    // (a held key change is inside its source transaction, so it never lets a commit through)
    return !inSourceTransaction && (dirty || !chunk.isEmpty());
  }

  private boolean boundaryAdvanced() {
    return boundary != null && (applied == null || boundary.position() > applied.position());
  }

  private void commit() throws TargetException {
    flushChunk();
    if (boundary == null) {
      return;
    }
    if (range.checkpointing()) {
      target.commit(rule.name(), boundary);
    } else {
      target.commitWithoutCheckpoint();
    }
    applied = boundary;
    sink.committed(applied, new EnumMap<>(pendingCounts), new HashMap<>(pendingByTable));
    pendingCounts.clear();
    pendingByTable.clear();
    dirty = false;
    batchChanges = 0;
    oldestPendingMicros = 0;
    sink.pending(0);
    lastCheckpointNanos = System.nanoTime();
    if (applied.position() >= carefulUntil) {
      careful = false;
    }
  }
}
