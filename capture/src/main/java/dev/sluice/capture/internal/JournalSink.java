package dev.sluice.capture.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalWriter;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.journal.SourcePosition;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the engine's batches and writes them to the journal, exactly once and in order.
 *
 * <ul>
 *   <li>The last change of each transaction is marked, with the transaction's commit LSN: the sink
 *       holds back one change until the next record shows whether its transaction ended.
 *   <li>After a crash the engine re-delivers changes it had sent; those not after the journal's
 *       last source position are recognised and dropped. So are changes it delivers again after
 *       restarting its task on its own (the source restarted): see {@link RepeatFilter}.
 *   <li>The journal is synced at the end of each batch (syncs paced by {@link #paceSyncs}: changes
 *       arriving meanwhile share the next one), and only then are records marked processed, so the
 *       engine's stored position (and the slot) never passes the journal. A held-back change and
 *       the records after it are not marked.
 *   <li>A snapshot is framed by markers from the engine's own snapshot notifications, which arrive
 *       in order with the rows: it starts at "started" and is whole at its last row or "completed".
 *       A snapshot of tables added to capture that the engine aborts, or leaves for streamed
 *       changes before it completed, is never marked complete: the listener hears {@code
 *       snapshot.aborted} and the tables stay to be read.
 *   <li>A resync ({@link #expectResync}) is a snapshot of one rule's tables read while streaming
 *       pauses, as one of added tables is; its markers name the rule ({@link Marker#resyncDetail}),
 *       and the listener hears {@code resync.start}, {@code resync.done} and {@code resync.aborted}
 *       instead of the snapshot's events.
 * </ul>
 *
 * <p>Batches arrive one at a time; methods are synchronized anyway.
 */
public final class JournalSink
    implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
  private static final Logger LOG = LoggerFactory.getLogger(JournalSink.class);

  /** Receives state changes: the first argument is the event type, the second a message. */
  public interface Listener extends BiConsumer<String, String> {}

  private final JournalWriter writer;
  private final RecordMapper mapper;
  private final int epoch;
  private final String transactionTopic;
  private final String notificationTopic;
  private final List<TableName> initialTables;
  private final List<TableName> addedTables;
  private final Listener listener;
  private final Meter rate;
  private final Counter duplicates;

  private final RepeatFilter repeats = new RepeatFilter();

  /** A resync asked for whose snapshot has not started yet; see {@link #expectResync}. */
  private final java.util.concurrent.atomic.AtomicReference<Resync> resyncWanted =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** The resync whose snapshot is open, or null. */
  private Resync resyncOpen;

  private volatile long snapshotRows;
  private SyncPacer syncPacer = new SyncPacer(0);
  private SourcePosition dedupFloor;
  private SourcePosition lastStreamed;
  private List<TableName> snapshotTables = List.of();
  private boolean snapshotOfAdded; // or a resync: read while streaming pauses
  private boolean snapshotOpen;
  private ChangeEvent pending;
  private String snapshotDone; // a snapshot completed in the current batch, not yet synced
  private String snapshotDoneEvent;
  private int pendingIndex = -1;
  private long lastPrevCommit = -1;
  private long lastLsn = -1;
  private int sub;
  private int snapshotOrdinal;
  private JournalDiskGuard diskGuard;
  private volatile boolean stopping;
  // what the last appended change had; published (to the volatile fields) once per batch, synced
  private long journaledLsn;
  private long appended;
  private long commitMicros;
  private volatile long lastJournaledLsn;
  private volatile long lastCommitMicros;
  private volatile boolean streaming;

  /**
   * @param dedupFloor the journal's last source position when resuming, or null when starting fresh
   *     or resuming right after a snapshot (nothing to drop). A snapshot row's position must never
   *     be the floor: the first transaction streamed after a snapshot carries no previous commit,
   *     and its changes may lie before the snapshot's LSN (it began before the slot's consistent
   *     point and committed after it), so it would compare as re-delivered and be dropped.
   * @param snapshotTables the tables of a snapshot that starts now, or null when none is expected
   * @param addedTables tables added to capture at this start whose rows a snapshot of their own
   *     (asked for once streaming runs) reads, or empty
   */
  public JournalSink(
      JournalWriter writer,
      RecordMapper mapper,
      int epoch,
      String topicPrefix,
      SourcePosition dedupFloor,
      List<TableName> snapshotTables,
      List<TableName> addedTables,
      Listener listener,
      Meter rate,
      Counter duplicates) {
    this.writer = writer;
    this.mapper = mapper;
    this.epoch = epoch;
    this.transactionTopic = topicPrefix + ".transaction";
    this.notificationTopic = EngineProperties.NOTIFICATION_TOPIC;
    this.dedupFloor = dedupFloor;
    this.initialTables = snapshotTables == null ? List.of() : snapshotTables;
    this.addedTables = List.copyOf(addedTables);
    this.lastStreamed = dedupFloor != null ? dedupFloor : writer.lastSourcePosition();
    this.listener = listener;
    this.rate = rate;
    this.duplicates = duplicates;

    if (snapshotTables != null) {
      openSnapshot(initialTables, "initial");
    }
  }

  /** A resync: the rule it is for, and the tables the snapshot reads. */
  public record Resync(String rule, List<TableName> tables) {
    public Resync {
      tables = List.copyOf(tables);
    }
  }

  /**
   * The next snapshot the engine starts is {@code resync}'s (asked for with a signal right after
   * this). Thread-safe.
   *
   * @return false when another resync is expected and has not started
   */
  public boolean expectResync(Resync resync) {
    return resyncWanted.compareAndSet(null, resync);
  }

  /**
   * Forgets an expected resync that has not started (the engine did not start it in time).
   *
   * @return false when its snapshot has started meanwhile (or it was not expected)
   */
  public boolean cancelResync(Resync resync) {
    return resyncWanted.compareAndSet(resync, null);
  }

  /** Rows the open (or last) snapshot has journaled, as of the last synced batch. Never waits. */
  public long snapshotRows() {
    return snapshotRows;
  }

  /** Checks the journal's free space before every batch (see {@link JournalDiskGuard}). */
  public void guardDisk(JournalDiskGuard guard) {
    this.diskGuard = guard;
  }

  /**
   * Spaces the journal's syncs (see {@link SyncPacer}): a batch is synced at least {@code
   * minIntervalNanos} after the previous sync started. Call before the engine starts.
   */
  public void paceSyncs(long minIntervalNanos) {
    this.syncPacer = new SyncPacer(minIntervalNanos);
  }

  /**
   * Capture stops: a batch waiting for disk space gives up (unjournaled, so re-delivered later).
   */
  public void stop() {
    stopping = true;
  }

  public long lastJournaledLsn() {
    return lastJournaledLsn;
  }

  public long lastCommitMicros() {
    return lastCommitMicros;
  }

  public boolean isSnapshotting() {
    return snapshotOpen;
  }

  public boolean isStreaming() {
    return streaming;
  }

  @Override
  public synchronized void handleBatch(
      List<RecordChangeEvent<SourceRecord>> records,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
      throws InterruptedException {
    if (diskGuard != null && !diskGuard.awaitRoom(() -> stopping)) {
      return; // nothing marked processed: the engine delivers these again at the next start
    }
    pendingIndex = -1;
    for (int i = 0; i < records.size(); i++) {
      handle(records.get(i).record(), i);
    }
    syncPacer.awaitTurn();
    writer.sync();
    lastJournaledLsn = journaledLsn;
    lastCommitMicros = commitMicros;
    rate.mark(appended);
    appended = 0;
    snapshotRows = snapshotOrdinal;
    if (snapshotDone != null) {
      listener.accept(snapshotDoneEvent, snapshotDone);
      snapshotDone = null;
    }
    int durable;
    if (pending == null) {
      durable = records.size() - 1;
    } else if (pendingIndex >= 0) {
      durable = pendingIndex - 1;
    } else {
      durable = -1; // the change held back came from an earlier batch: nothing here is durable yet
    }
    // the engine's offset is a position: marking the last durable record marks all before it (its
    // offset writer keeps the last offset per partition); a notification may carry no position
    for (int i = durable; i >= 0; i--) {
      Map<String, ?> offset = records.get(i).record().sourceOffset();
      if (offset != null && !offset.isEmpty()) {
        committer.markProcessed(records.get(i));
        break;
      }
    }
    committer.markBatchFinished();
  }

  private void handle(SourceRecord record, int index) {
    if (record.topic().equals(transactionTopic)) {
      handleTransaction(record);
      return;
    }
    if (record.topic().equals(notificationTopic)) {
      handleNotification((Struct) record.value());
      return;
    }
    if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
      // a heartbeat: streaming has started, or (sent before "completed") a snapshot has ended
      if (!(snapshotOpen && snapshotOfAdded)) {
        closeSnapshotIfStreaming();
      }
      return;
    }
    Struct source = value.getStruct("source");
    String op = value.getString("op");
    if (op.equals("m")) {
      return;
    }
    if (op.equals("r")) {
      handleSnapshotRow(record, source);
      return;
    }
    closeSnapshotIfStreaming();
    Map<String, ?> offset = record.sourceOffset();
    long prevCommit = longOf(offset.get("lsn_commit"));
    long lsn = longOf(offset.get("lsn"));
    if (prevCommit == lastPrevCommit && lsn == lastLsn) {
      sub++;
    } else {
      sub = 0;
      lastPrevCommit = prevCommit;
      lastLsn = lsn;
    }
    SourcePosition position = new SourcePosition(epoch, prevCommit, lsn, sub);
    if (dedupFloor != null) {
      if (!position.isAfter(dedupFloor)) {
        duplicates.inc();
        LOG.debug("dropped a re-delivered change at {}", position);
        return;
      }
      dedupFloor = null;
    }
    Long txId = source.getInt64("txId");
    if (repeats.isRepeat(
        txId == null ? 0 : txId, lsn, new Changed(record.topic(), op, record.key()))) {
      duplicates.inc();
      LOG.debug("dropped a change delivered again after the engine restarted, at {}", position);
      return;
    }
    lastStreamed = position;
    ChangeEvent event = mapper.map(record, position, keyChangeFlags(record, op));
    if (event == null) {
      return;
    }
    if (pending != null) {
      append(pending.txId() == event.txId() ? pending : pending.asLastInTransaction(0));
    }
    pending = event;
    pendingIndex = index;
  }

  /**
   * The engine's snapshot notifications ({@code notification.enabled.channels=sink}): "STARTED",
   * "COMPLETED" and "ABORTED" frame a snapshot exactly; the others (progress per table) are not
   * used, as a table's "scan completed" may come before its last row.
   */
  private void handleNotification(Struct notification) {
    String type = notification.getString("type");
    switch (type) {
      case "STARTED" -> {
        if (!snapshotOpen) {
          openNextSnapshot();
        }
      }
      case "COMPLETED" -> {
        if (snapshotOpen) {
          closeSnapshot();
        }
      }
      case "ABORTED" -> abandonSnapshot("the engine aborted it");
      default -> {}
    }
  }

  /**
   * A snapshot of added tables ended before it was whole: it is left open in the journal (a later
   * snapshot of those tables replaces it, see {@link Marker.Kind#SNAPSHOT_STARTED}) and the
   * listener hears of it, so that the tables are read again.
   */
  private void abandonSnapshot(String why) {
    if (!snapshotOpen) {
      return;
    }
    snapshotOpen = false;
    String message =
        describeSnapshot() + " did not complete (" + why + "; " + snapshotOrdinal + " rows read)";
    LOG.warn("{}", message);
    boolean resync = resyncOpen != null;
    resyncOpen = null;
    listener.accept(resync ? "resync.aborted" : "snapshot.aborted", message);
  }

  private void handleTransaction(SourceRecord record) {
    closeSnapshotIfStreaming();
    Struct value = (Struct) record.value();
    String status = value.getString("status");
    if (pending == null) {
      return;
    }
    long txId = longOf(record.sourceOffset().get("txId"));
    if (status.equals("BEGIN") && pending.txId() == txId) {
      return; // the engine restarted and delivers this transaction again: the held change stays
    }
    if (status.equals("END")) {
      long commitLsn = longOf(record.sourceOffset().get("lsn_commit"));
      append(
          pending.txId() == txId
              ? pending.asLastInTransaction(commitLsn)
              : pending.asLastInTransaction(0));
    } else {
      append(pending.asLastInTransaction(0));
    }
    pending = null;
  }

  private void handleSnapshotRow(SourceRecord record, Struct source) {
    String snapshot = source.getString("snapshot");
    if (!snapshotOpen) {
      openNextSnapshot();
    }
    boolean lastOfTable = "last".equals(snapshot) || "last_in_data_collection".equals(snapshot);
    long lsn = longOf(record.sourceOffset().get("lsn"));
    // rows of added tables, read while streaming, carry the last streamed change's position: the
    // journal's last source position stays the floor below which re-delivered changes are dropped
    SourcePosition position =
        snapshotOfAdded ? lastStreamed : new SourcePosition(epoch, 0, lsn, snapshotOrdinal);
    snapshotOrdinal++;
    ChangeEvent event =
        mapper.map(record, position, lastOfTable ? ChangeEvent.LAST_OF_SNAPSHOT_TABLE : 0);
    append(event);
    if ("last".equals(snapshot)) {
      closeSnapshot();
    }
  }

  /** Opens the snapshot the engine started: a resync expected, or one of added or all tables. */
  private void openNextSnapshot() {
    Resync resync = resyncWanted.getAndSet(null);
    if (resync != null) {
      resyncOpen = resync;
      openSnapshot(resync.tables(), Marker.resyncDetail(resync.rule()));
    } else if (!addedTables.isEmpty()) {
      openSnapshot(addedTables, Marker.TABLES_ADDED);
    } else {
      openSnapshot(initialTables, "the engine started a snapshot");
    }
  }

  private void openSnapshot(List<TableName> tables, String detail) {
    snapshotOpen = true;
    snapshotTables = tables;
    snapshotOfAdded = detail.equals(Marker.TABLES_ADDED) || resyncOpen != null;
    snapshotOrdinal = 0;
    writer.append(
        new Marker(
            JournalPosition.NONE,
            Marker.Kind.SNAPSHOT_STARTED,
            nowMicros(),
            snapshotTables,
            detail));
    snapshotRows = 0;
    listener.accept(
        resyncOpen != null ? "resync.start" : "snapshot.start", describeSnapshot() + " started");
  }

  private void closeSnapshotIfStreaming() {
    if (!streaming) {
      streaming = true; // a volatile write, once rather than per change
    }
    if (!snapshotOpen) {
      return;
    }
    if (snapshotOfAdded) {
      // streaming pauses for the whole of a snapshot of added tables: a streamed change inside one
      // means the engine restarted its task and left it unfinished
      abandonSnapshot("streaming went on before it completed");
    } else {
      closeSnapshot(); // an initial snapshot of empty tables has no rows and may skip "completed"
    }
  }

  private void closeSnapshot() {
    snapshotOpen = false;
    writer.append(
        new Marker(
            JournalPosition.NONE,
            Marker.Kind.SNAPSHOT_COMPLETED,
            nowMicros(),
            snapshotTables,
            resyncOpen != null ? Marker.resyncDetail(resyncOpen.rule()) : ""));
    // heard once the batch is synced: what asked for the snapshot may then forget it
    snapshotDone = describeSnapshot() + " done (" + snapshotOrdinal + " rows)";
    snapshotDoneEvent = resyncOpen != null ? "resync.done" : "snapshot.done";
    resyncOpen = null;
  }

  private String describeSnapshot() {
    if (resyncOpen != null) {
      return "snapshot for the resync of rule "
          + resyncOpen.rule()
          + " ("
          + String.join(", ", snapshotTables.stream().map(TableName::toString).toList())
          + ")";
    }
    return snapshotOfAdded
        ? "snapshot of the added tables "
            + String.join(", ", snapshotTables.stream().map(TableName::toString).toList())
        : "snapshot of " + snapshotTables.size() + " tables";
  }

  private void append(ChangeEvent event) {
    writer.append(event);
    appended++;
    if (event.op() != Op.READ) {
      journaledLsn = event.lsn();
    }
    commitMicros = event.commitTimeMicros();
  }

  /** What a change changed, as {@link RepeatFilter} compares it: its table, operation and key. */
  private record Changed(String topic, String op, Object key) {}

  private static int keyChangeFlags(SourceRecord record, String op) {
    for (Header header : record.headers()) {
      if (op.equals("d") && header.key().equals("__debezium.newkey")) {
        return ChangeEvent.KEY_CHANGE_OLD;
      }
      if (op.equals("c") && header.key().equals("__debezium.oldkey")) {
        return ChangeEvent.KEY_CHANGE_NEW;
      }
    }
    return 0;
  }

  private static long longOf(Object value) {
    return value instanceof Number n ? n.longValue() : 0L;
  }

  private static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
