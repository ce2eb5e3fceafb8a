package dev.sluice.capture;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.capture.internal.AddedTables;
import dev.sluice.capture.internal.AddedTablesSnapshot;
import dev.sluice.capture.internal.EngineFailure;
import dev.sluice.capture.internal.EngineProperties;
import dev.sluice.capture.internal.JournalDiskGuard;
import dev.sluice.capture.internal.JournalSink;
import dev.sluice.capture.internal.JournalSnapshot;
import dev.sluice.capture.internal.OffsetFile;
import dev.sluice.capture.internal.RecordMapper;
import dev.sluice.capture.internal.SourceCatalog;
import dev.sluice.capture.internal.SourceProbe;
import dev.sluice.capture.internal.TableWatch;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.SetupException;
import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalWriter;
import dev.sluice.journal.Lsn;
import dev.sluice.journal.Marker;
import dev.sluice.journal.RecentRate;
import dev.sluice.journal.SourcePosition;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures the source's committed changes into the journal with the embedded Debezium engine
 * (pgoutput), exactly once and in commit order, until closed.
 *
 * <p>Start-up: checks the source (wal_level, rights, tables, slot) and reports every problem with
 * its fix; creates the publication (exactly the captured tables) and the heartbeat table; then runs
 * the engine on a thread of its own. The engine's position is stored beside the journal ({@code
 * capture-offsets.dat}) and only ever covers changes synced to the journal; see {@link
 * JournalSink}.
 *
 * <p>Thread-safe.
 */
public final class Capture implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Capture.class);

  /** The file beside the journal where the engine's position is stored. */
  public static final String OFFSETS_FILE = "capture-offsets.dat";

  /**
   * A file beside the journal that asks the next start to take a snapshot whatever {@code
   * source.snapshot} says ({@code sluice snapshot} writes it); removed when that snapshot is done.
   */
  public static final String SNAPSHOT_REQUEST = "snapshot-requested";

  /**
   * The free space capture keeps on the journal's filesystem: below it, capture pauses (the source
   * keeps the WAL) until space is freed, rather than let the memory-mapped journal hit a full disk.
   */
  public static final long JOURNAL_MIN_FREE_BYTES = JournalDiskGuard.MIN_FREE_BYTES;

  private final SourceConfig source;
  private final int tableCount;
  private final PostgresVersion sourceVersion;
  private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private final ExecutorService engineThread;
  private final ScheduledExecutorService statusThread;
  private final SourceProbe probe;
  private final TableWatch tableWatch; // null when source.tables names every table exactly
  private volatile AddedTablesSnapshot addedSnapshot; // null when no table was added at this start
  private final List<TableName> tables;
  private final Object resyncLock = new Object();
  private PendingResync resync; // under resyncLock; null when none is asked for or reading
  private final Path journalDir;
  private final JournalSink sink;
  private final Meter rate;
  private final Counter duplicates;
  private final RecentRate recentRate = new RecentRate();
  private final Consumer<CaptureEvent> listener;
  private final Instant startedAt = Instant.now();
  private final CompletableFuture<Void> completion = new CompletableFuture<>();
  private final CompletableFuture<Void> taskStarted = new CompletableFuture<>();
  private final CompletableFuture<List<TableName>> tablesAppeared = new CompletableFuture<>();
  private volatile Optional<SourceCatalog.Slot> slot = Optional.empty();
  private volatile boolean closing;
  private volatile String lastError;

  /**
   * What capture needs besides the source configuration.
   *
   * @param journal where changes go
   * @param statusInterval how often the slot's position is read from the source
   * @param metrics where capture records its meters
   * @param listener receives capture's activity events (called on capture's threads)
   * @param tuning the engine's batch and queue sizes
   */
  public record Options(
      Journal journal,
      Duration statusInterval,
      MetricRegistry metrics,
      Consumer<CaptureEvent> listener,
      EngineProperties.Tuning tuning) {

    public static Options of(Journal journal) {
      return new Options(
          journal,
          Duration.ofSeconds(2),
          new MetricRegistry(),
          event -> {},
          EngineProperties.Tuning.DEFAULT);
    }

    public Options withListener(Consumer<CaptureEvent> newListener) {
      return new Options(journal, statusInterval, metrics, newListener, tuning);
    }

    public Options withMetrics(MetricRegistry newMetrics) {
      return new Options(journal, statusInterval, newMetrics, listener, tuning);
    }

    public Options withStatusInterval(Duration newInterval) {
      return new Options(journal, newInterval, metrics, listener, tuning);
    }

    public Options withTuning(EngineProperties.Tuning newTuning) {
      return new Options(journal, statusInterval, metrics, listener, newTuning);
    }
  }

  /**
   * Checks and prepares the source, then starts capturing.
   *
   * @throws SetupException when the source or configuration must change first (exit code 2)
   * @throws CaptureException when the source cannot be reached (exit code 1)
   */
  public static Capture start(SourceConfig configured, Options options) {
    Path request = options.journal().dir().resolve(SNAPSHOT_REQUEST);
    SourceConfig source =
        Files.exists(request) ? withSnapshot(configured, SnapshotMode.ALWAYS) : configured;
    Path offsets = options.journal().dir().resolve(OFFSETS_FILE);
    Optional<Map<String, Object>> stored = OffsetFile.sourceOffset(offsets);
    if (stored.isPresent() && OffsetFile.blockingSnapshotUnfinished(stored.get())) {
      // capture stopped while reading added tables or a resync: streaming paused at this position
      // and goes on from it (added tables are asked for again; a resync is given up)
      OffsetFile.writeStreaming(
          offsets,
          EngineProperties.engineName(source),
          EngineProperties.TOPIC_PREFIX,
          stored.get());
      LOG.info(
          "capture stopped while reading a snapshot of some tables (added ones, or a resync): it"
              + " streams on from where that snapshot paused it");
      stored = OffsetFile.sourceOffset(offsets);
    }
    if (source.snapshot() != SnapshotMode.ALWAYS
        && stored.map(OffsetFile::snapshotUnfinished).orElse(true)) {
      stored = streamAfterJournaledSnapshot(source, options.journal(), offsets, stored);
    }
    boolean hasOffsets = stored.isPresent() && !OffsetFile.snapshotUnfinished(stored.get());
    boolean resuming = hasOffsets && source.snapshot() != SnapshotMode.ALWAYS;
    boolean slotDropped = false;
    SourceCheck.Report report;
    long xidHorizon;
    List<TableName> partitioned;
    Map<String, TableName> attachments;
    try (Connection connection = SourceConnection.open(source)) {
      report = SourceCheck.inspect(source, connection, resuming).orThrow();
      report.notes().forEach(note -> LOG.warn("{}", note));
      SourceCheck.prepare(source, connection, report);
      SourceCatalog catalog = new SourceCatalog(connection);
      partitioned = catalog.partitioned(report.tableNames());
      attachments = catalog.attachedPartitions(partitioned);
      xidHorizon = nextXid(connection); // after the publication took in any added table
      if (takesSnapshot(source, resuming) && report.slotExists()) {
        // only a slot created now exports a snapshot whose view is exactly the commits before the
        // LSN its stream starts at; on an existing slot the engine reads the tables outside any
        // such view, at moments of their own, and streams from a WAL position read before them
        catalog.dropSlot(source.slot());
        slotDropped = true;
        LOG.info(
            "dropped the existing replication slot {}: the snapshot is taken from a new one",
            source.slot());
      }
    } catch (SQLException e) {
      throw new CaptureException("cannot prepare the source: " + e.getMessage(), e);
    }
    if (!resuming && Files.exists(offsets)) {
      try {
        Files.delete(offsets);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot reset the capture position " + offsets, e);
      }
    }
    List<TableName> added =
        AddedTables.atStart(options.journal(), report.tableNames(), attachments, resuming);
    Capture capture =
        new Capture(
            source,
            options,
            report,
            resuming,
            slotDropped,
            offsets,
            added,
            partitioned,
            attachments.keySet(),
            xidHorizon);
    capture.awaitStarted(Duration.ofMinutes(2));
    return capture;
  }

  private static long nextXid(Connection connection) throws SQLException {
    try (java.sql.Statement statement = connection.createStatement();
        java.sql.ResultSet rs =
            statement.executeQuery(
                "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * When the journal holds the whole latest snapshot but the engine's stored position does not say
   * it finished (the sidecar was killed after the snapshot's last row was journaled, before the
   * engine stored its position), stores the snapshot's end, so that the engine streams the changes
   * committed after the snapshot instead of taking it again. Taken again, the snapshot would miss
   * rows deleted since: they are on the targets already, and no change would remove them.
   *
   * @return the stored position, after this
   */
  private static Optional<Map<String, Object>> streamAfterJournaledSnapshot(
      SourceConfig source, Journal journal, Path offsets, Optional<Map<String, Object>> stored) {
    Optional<JournalSnapshot> snapshot = JournalSnapshot.latest(journal);
    if (snapshot.isEmpty() || !snapshot.get().canStreamFrom()) {
      return stored;
    }
    OffsetFile.writeCompletedSnapshot(
        offsets,
        EngineProperties.engineName(source),
        EngineProperties.TOPIC_PREFIX,
        snapshot.get().lsn(),
        stored);
    LOG.info(
        "the journal holds the whole snapshot taken at LSN {}, the stored position did not say it"
            + " finished: capture streams from its end",
        Lsn.format(snapshot.get().lsn()));
    return OffsetFile.sourceOffset(offsets);
  }

  private static boolean takesSnapshot(SourceConfig source, boolean resuming) {
    return source.snapshot() == SnapshotMode.ALWAYS
        || (source.snapshot() == SnapshotMode.INITIAL && !resuming);
  }

  private static SourceConfig withSnapshot(SourceConfig source, SnapshotMode mode) {
    return new SourceConfig(
        source.url(),
        source.user(),
        source.password(),
        source.slot(),
        source.publication(),
        source.tables(),
        mode,
        source.heartbeat());
  }

  /**
   * Waits until the engine runs (its slot exists and it reads it), or fails.
   *
   * @throws SetupException or CaptureException when the engine stopped while starting
   */
  private void awaitStarted(Duration timeout) {
    try {
      CompletableFuture.anyOf(taskStarted, completion)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      close();
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new CaptureException("capture failed to start", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      close();
      throw new CaptureException("capture did not start within " + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new CaptureException("interrupted while capture was starting");
    }
    if (completion.isDone() && !taskStarted.isDone()) {
      close();
      throw new CaptureException("capture stopped while starting: " + lastError);
    }
  }

  private Capture(
      SourceConfig source,
      Options options,
      SourceCheck.Report report,
      boolean resuming,
      boolean slotDropped,
      Path offsets,
      List<TableName> added,
      List<TableName> partitioned,
      Set<String> attachments,
      long xidHorizon) {
    this.source = source;
    this.tableCount = report.tables().size();
    this.sourceVersion = report.version();
    this.listener = options.listener();
    this.rate = options.metrics().meter("capture.events");
    this.duplicates = options.metrics().counter("capture.duplicates.dropped");
    JournalWriter writer = options.journal().writer();
    SourcePosition last = writer.lastSourcePosition();
    int epoch = resuming ? Math.max(1, last.epoch()) : last.epoch() + 1;
    List<TableName> tables = List.copyOf(report.tableNames());
    this.tables = tables;
    boolean snapshotExpected = takesSnapshot(source, resuming);
    String detail =
        resuming
            ? "resumed from slot " + source.slot() + " (journal at " + describe(last) + ")"
            : slotDropped
                ? "started on a new slot " + source.slot() + " (the existing one was dropped)"
                : report.slotExists()
                    ? "started on the existing slot " + source.slot()
                    : "started on a new slot " + source.slot();
    writer.append(
        new Marker(
            JournalPosition.NONE,
            Marker.Kind.CAPTURE_STARTED,
            micros(Instant.now()),
            tables,
            detail));
    writer.sync();
    this.probe = new SourceProbe(source);
    this.journalDir = options.journal().dir();
    RecordMapper mapper = new RecordMapper(writer::register, probe);
    this.sink =
        new JournalSink(
            writer,
            mapper,
            epoch,
            EngineProperties.TOPIC_PREFIX,
            resuming
                    && !last.equals(SourcePosition.NONE)
                    && !JournalSnapshot.latest(options.journal())
                        .map(JournalSnapshot::endsJournal)
                        .orElse(false)
                ? last
                : null,
            snapshotExpected ? tables : null,
            added,
            this::onSnapshotEvent,
            rate,
            duplicates);
    sink.paceSyncs(options.tuning().minSyncMicros() * 1_000);
    sink.guardDisk(
        new JournalDiskGuard(
            options.journal().dir(),
            JOURNAL_MIN_FREE_BYTES,
            (type, message) -> {
              lastError = type.equals("capture.error") ? message : null;
              emit(type, message);
            }));
    this.engine =
        DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
            .using(
                EngineProperties.of(
                    source,
                    report.tableNames(),
                    offsets,
                    options.tuning(),
                    snapshotSelects(probe, report.tableNames())))
            .notifying(sink)
            .using(this::engineCompleted)
            .using(
                new DebeziumEngine.ConnectorCallback() {
                  @Override
                  public void taskStarted() {
                    taskStarted.complete(null);
                  }
                })
            .build();
    this.engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "sluice-capture"));
    this.statusThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-capture-status");
              thread.setDaemon(true);
              return thread;
            });
    engineThread.execute(engine);
    statusThread.scheduleWithFixedDelay(
        () -> slot = probe.slot(), 0, options.statusInterval().toMillis(), TimeUnit.MILLISECONDS);
    if (!added.isEmpty()) {
      addedSnapshot =
          new AddedTablesSnapshot(
              added, probe, xidHorizon, this::signalSnapshot, journalDir, this::emit, startedAt);
      statusThread.scheduleWithFixedDelay(this::tendAddedSnapshot, 100, 200, TimeUnit.MILLISECONDS);
    }
    this.tableWatch =
        TableWatch.isNeeded(source, partitioned)
            ? new TableWatch(source, tables, report.notes(), partitioned, attachments)
            : null;
    if (tableWatch != null) {
      statusThread.scheduleWithFixedDelay(
          this::watchTables,
          options.statusInterval().toMillis(),
          options.statusInterval().toMillis(),
          TimeUnit.MILLISECONDS);
    }
    LOG.info("capture {} of {} tables: {}", resuming ? "resumes" : "starts", tables.size(), detail);
    emit("capture.started", "capture " + detail);
  }

  private void watchTables() {
    AddedTablesSnapshot added = addedSnapshot;
    if (tablesAppeared.isDone()
        || closing
        || !sink.isStreaming()
        || sink.isSnapshotting()
        || (added != null && !added.isDone())) {
      return; // a restart now would throw away a snapshot in progress and take it again
    }
    List<TableName> appeared = tableWatch.newTables();
    if (!appeared.isEmpty()) {
      tableWatch.close();
      LOG.info("new tables match source.tables: {}; capture must restart to add them", appeared);
      tablesAppeared.complete(appeared);
    }
  }

  /**
   * Completes with tables created on the source after capture started that {@code source.tables}
   * covers (a pattern, or every table), once, when they are seen (within a status interval of
   * streaming with no snapshot in progress). Capture goes on without them: close it and start it
   * again, which adds them to the publication and reads their rows in a snapshot of their own
   * before streaming their changes.
   */
  public CompletableFuture<List<TableName>> tablesAppeared() {
    return tablesAppeared;
  }

  /**
   * The engine's snapshot reports, from the journal sink (on the engine's thread): besides the
   * activity events, a whole snapshot ends what asked for it, and an aborted one of added tables is
   * asked for again.
   */
  private void onSnapshotEvent(String type, String message) {
    AddedTablesSnapshot added = addedSnapshot;
    if (type.startsWith("resync.")) {
      onResyncEvent(type, message);
      return;
    }
    switch (type) {
      case "snapshot.start" -> {
        if (added != null) {
          added.started();
        }
      }
      case "snapshot.done" -> {
        try {
          Files.deleteIfExists(journalDir.resolve(SNAPSHOT_REQUEST));
        } catch (IOException e) {
          LOG.warn("cannot remove what asked for the snapshot: {}", e.getMessage());
        }
        if (added != null) {
          added.completed(Instant.now());
        }
      }
      case "snapshot.aborted" -> {
        if (added != null) {
          added.aborted(message, Instant.now());
          return; // it emits the error itself
        }
        type = "capture.error";
      }
      default -> {}
    }
    emit(type, message);
  }

  /** How long a resync's snapshot may take to start before the resync is given up. */
  static final Duration RESYNC_START_TIMEOUT = Duration.ofSeconds(60);

  /** Hears how the snapshot of a resync goes (on capture's threads; must not block). */
  public interface ResyncListener {
    /** The snapshot started: its start marker is journaled. */
    void started();

    /** The snapshot's end is journaled (and synced), after {@code rows} rows. */
    void completed(long rows);

    /** The snapshot did not start or did not complete; the resync is over. */
    void failed(String why);
  }

  private record PendingResync(
      JournalSink.Resync request, ResyncListener listener, Instant askedAt, boolean started) {}

  /** The tables capture captures, as it started. */
  public List<TableName> tables() {
    return tables;
  }

  /**
   * Asks the engine for a snapshot of {@code tables} framed by markers that name {@code rule}: the
   * rule makes its target's copy of them equal to the rows read (see {@code ApplyLoop}), other
   * rules pass over them. Streaming pauses while it reads, as for tables added to capture.
   *
   * @throws IllegalStateException while capture is not streaming, another snapshot is asked for or
   *     reading, or capture is closing
   */
  public void resync(String rule, List<TableName> resyncTables, ResyncListener listener) {
    JournalSink.Resync request = new JournalSink.Resync(rule, resyncTables);
    synchronized (resyncLock) {
      if (closing || completion.isDone()) {
        throw new IllegalStateException("capture is not running");
      }
      if (resync != null) {
        throw new IllegalStateException(
            "capture is reading the tables of the resync of rule "
                + resync.request().rule()
                + "; ask again when it completes");
      }
      AddedTablesSnapshot added = addedSnapshot;
      if (!sink.isStreaming() || sink.isSnapshotting() || (added != null && !added.isDone())) {
        throw new IllegalStateException(
            "capture is taking a snapshot (or not streaming yet); ask again when it completes");
      }
      if (!sink.expectResync(request)) {
        throw new IllegalStateException("another resync is asked for; ask again when it completes");
      }
      resync = new PendingResync(request, listener, Instant.now(), false);
    }
    LOG.info("resync of rule {}: a snapshot of {} is asked for", rule, resyncTables);
    signalSnapshot(resyncTables, "sluice-resync-");
    statusThread.schedule(
        () -> giveUpUnstartedResync(request),
        RESYNC_START_TIMEOUT.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void giveUpUnstartedResync(JournalSink.Resync request) {
    PendingResync given;
    synchronized (resyncLock) {
      if (resync == null || resync.request() != request || !sink.cancelResync(request)) {
        return; // started, or over
      }
      given = resync;
      resync = null;
    }
    String why =
        "the engine did not start the snapshot for the resync of rule "
            + request.rule()
            + " within "
            + RESYNC_START_TIMEOUT.toSeconds()
            + " s; ask again";
    LOG.warn("{}", why);
    given.listener().failed(why);
  }

  /** Rows journaled so far by the snapshot now reading (or the last one). Never waits. */
  public long snapshotRows() {
    return sink.snapshotRows();
  }

  private void onResyncEvent(String type, String message) {
    PendingResync current;
    synchronized (resyncLock) {
      current = resync;
      if (current == null) {
        return;
      }
      if (type.equals("resync.start")) {
        resync = new PendingResync(current.request(), current.listener(), current.askedAt(), true);
      } else {
        resync = null;
      }
    }
    LOG.info("{}", message);
    switch (type) {
      case "resync.start" -> current.listener().started();
      case "resync.done" -> current.listener().completed(sink.snapshotRows());
      default -> {
        emit("capture.error", message);
        current.listener().failed(message);
      }
    }
  }

  private void tendAddedSnapshot() {
    AddedTablesSnapshot added = addedSnapshot;
    if (added != null && !closing && !added.isDone()) {
      added.tend(Instant.now());
    }
  }

  /**
   * Asks the engine for a blocking snapshot of {@code tables}: it pauses streaming, reads them, and
   * streams on from where it paused.
   */
  private void signalSnapshot(List<TableName> tables) {
    signalSnapshot(tables, "sluice-added-");
  }

  private void signalSnapshot(List<TableName> tables, String idPrefix) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    ArrayNode collections = data.putArray("data-collections");
    tables.forEach(t -> collections.add(EngineProperties.tableRegex(t)));
    data.put("type", "blocking");
    engine
        .getSignaler()
        .signal(
            new DebeziumEngine.Signal(
                idPrefix + System.currentTimeMillis(),
                "execute-snapshot",
                data.toString(),
                Map.of()));
  }

  private static Map<TableName, String> snapshotSelects(
      SourceProbe probe, java.util.Set<TableName> tables) {
    try {
      return probe.snapshotSelects(tables);
    } catch (SQLException e) {
      throw new CaptureException("cannot read the captured tables' columns: " + e.getMessage(), e);
    }
  }

  private static String describe(SourcePosition position) {
    return position.equals(SourcePosition.NONE) ? "its start" : "LSN " + Lsn.format(position.lsn());
  }

  private void engineCompleted(boolean success, String engineMessage, Throwable error) {
    if (closing) {
      completion.complete(null);
      return;
    }
    Optional<String> unreadable = EngineFailure.unreadableValue(error);
    String message = unreadable.orElse(engineMessage);
    Throwable cause = error;
    lastError = message;
    emit("capture.error", "capture stopped: " + message);
    LOG.error("capture stopped: {}", message, error);
    if (success) {
      completion.completeExceptionally(
          new CaptureException("capture stopped unexpectedly: " + message));
    } else if (slotLost(message, error)) {
      completion.completeExceptionally(
          new SetupException(
              "the replication slot '"
                  + source.slot()
                  + "' is gone, but Sluice captured from it before: changes made since it was dropped"
                  + " were not captured; run 'sluice snapshot -c <config>' to re-create the slot and"
                  + " re-read the captured tables, then 'sluice run' again"));
    } else if (message != null && message.contains("is active for PID")) {
      completion.completeExceptionally(
          new SetupException("the replication slot '" + source.slot() + "' " + message));
    } else if (unreadable.isPresent()) {
      completion.completeExceptionally(new CaptureException("capture stopped: " + message, cause));
    } else {
      completion.completeExceptionally(new CaptureException("capture failed: " + message, cause));
    }
  }

  /**
   * Whether the engine stopped because the slot no longer has the position it must resume from: the
   * slot was dropped (and the engine, restarting after the lost connection, would stream from a new
   * one, missing what happened in between).
   */
  static boolean slotLost(String message, Throwable error) {
    String text = message == null ? "" : message;
    for (Throwable t = error; t != null; t = t.getCause()) {
      text += " " + t.getMessage();
    }
    return text.contains("no longer available on the server");
  }

  private void emit(String type, String message) {
    try {
      listener.accept(new CaptureEvent(Instant.now(), type, message));
    } catch (RuntimeException e) {
      LOG.warn("an activity listener failed", e);
    }
  }

  /** Completes when capture stops: normally after {@link #close()}, exceptionally on failure. */
  public CompletableFuture<Void> completion() {
    return completion;
  }

  public CaptureStatus status() {
    CaptureStatus.State state;
    if (completion.isCompletedExceptionally()) {
      state = CaptureStatus.State.FAILED;
    } else if (closing || completion.isDone()) {
      state = CaptureStatus.State.STOPPED;
    } else if (sink.isSnapshotting()) {
      state = CaptureStatus.State.SNAPSHOTTING;
    } else if (sink.isStreaming()) {
      state = CaptureStatus.State.STREAMING;
    } else {
      state = CaptureStatus.State.STARTING;
    }
    Optional<SourceCatalog.Slot> current = slot;
    long commitMicros = sink.lastCommitMicros();
    AddedTablesSnapshot added = addedSnapshot;
    return new CaptureStatus(
        state,
        sourceVersion.shortText(),
        source.slot(),
        source.publication(),
        tableCount,
        current.map(SourceCatalog.Slot::confirmedFlushLsn).orElse(null),
        current.map(SourceCatalog.Slot::retainedBytes).orElse(-1L),
        sink.lastJournaledLsn(),
        commitMicros == 0
            ? null
            : Instant.ofEpochSecond(commitMicros / 1_000_000, (commitMicros % 1_000_000) * 1_000),
        rate.getCount(),
        duplicates.getCount(),
        recentRate.perSecond(rate.getCount()),
        startedAt,
        lastError,
        added == null ? List.of() : added.pending(),
        added == null ? null : added.problem());
  }

  /** Stops the engine (its last batch is journaled and its position stored), then the probes. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    sink.stop();
    PendingResync unfinished;
    synchronized (resyncLock) {
      unfinished = resync;
      resync = null;
    }
    try {
      engine.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("stopping the capture engine: {}", e.getMessage());
    }
    engineThread.shutdown();
    statusThread.shutdownNow();
    try {
      if (!engineThread.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("the capture engine did not stop within 60 s");
        engineThread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    probe.close();
    if (tableWatch != null) {
      tableWatch.close();
    }
    completion.complete(null);
    if (unfinished != null) {
      unfinished
          .listener()
          .failed(
              "capture stopped before the snapshot for the resync of rule "
                  + unfinished.request().rule()
                  + " completed; ask again");
    }
    emit("capture.stopped", "capture stopped");
  }

  /** The engine's stored position of a journal directory, for status without a running capture. */
  public static Optional<Map<String, Object>> storedPosition(Path journalDir) {
    return OffsetFile.sourceOffset(journalDir.resolve(OFFSETS_FILE));
  }

  private static long micros(Instant time) {
    return time.getEpochSecond() * 1_000_000L + time.getNano() / 1_000;
  }
}
