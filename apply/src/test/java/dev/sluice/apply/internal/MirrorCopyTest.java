package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.RuleState;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalWriter;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror rule's copy of a snapshot, against a real SQLite target, with the journal written step
 * by step as capture writes it: the snapshot's marker first, and each table's schema only with its
 * first row. The rule reads the marker before any schema exists. A resync (a snapshot whose markers
 * name one rule) is that rule's mirror copy whatever its mode, and other rules pass over it.
 */
class MirrorCopyTest {
  private static final TableName A = new TableName("public", "a");
  private static final TableName B = new TableName("public", "b");
  private static final TableName EMPTY = new TableName("public", "empty");
  private static final TableName NEVER = new TableName("public", "never");

  @TempDir Path dir;

  private SluiceConfig config;
  private Journal journal;
  private JournalWriter writer;
  private final Events events = new Events();
  private volatile boolean running = true;
  private Thread loop;
  private long lsn;

  @BeforeEach
  void open() throws Exception {
    config =
        new ConfigLoader(Map.of())
            .parse(
                """
                source: { url: "jdbc:postgresql://127.0.0.1:1/none" }
                journal: { dir: "%1$s/journal" }
                targets: { t: { url: "jdbc:sqlite:%1$s/t.db" }, t2: { url: "jdbc:sqlite:%1$s/t2.db" } }
                rules: [ { name: r, target: t, mode: mirror }, { name: c, target: t2, mode: cdc } ]
                """
                    .formatted(dir),
                "test.yaml",
                dir,
                null);
    journal = Journal.open(config.journal());
    writer = journal.writer();
    target(
        "CREATE TABLE a(id INTEGER NOT NULL PRIMARY KEY, v TEXT)",
        "INSERT INTO a VALUES (1, 'stale'), (99, 'gone from the source')",
        "CREATE TABLE b(id INTEGER NOT NULL PRIMARY KEY, v TEXT)",
        "INSERT INTO b VALUES (7, 'gone from the source')",
        "CREATE TABLE empty(id INTEGER NOT NULL PRIMARY KEY, v TEXT)",
        "INSERT INTO empty VALUES (5, 'gone from the source')",
        "CREATE TABLE never(id INTEGER NOT NULL PRIMARY KEY, v TEXT)",
        "INSERT INTO never VALUES (6, 'of unknown origin')");
  }

  @AfterEach
  void close() throws Exception {
    running = false;
    if (loop != null) {
      loop.join(30_000);
    }
    journal.close();
  }

  @Test
  void everyTableIsMirroredThoughItsSchemaReachesTheJournalAfterTheSnapshotStarted()
      throws Exception {
    startRule();
    snapshotStarts(A, B);

    TableSchema a = writer.register(schema(A, false));
    read(a, 1, "one");
    read(a, 2, "two");
    TableSchema b = writer.register(schema(B, false));
    read(b, 1, "one");
    snapshotCompletes(A, B);

    assertThat(rows("a")).containsExactly("1=one", "2=two");
    assertThat(rows("b")).containsExactly("1=one");
    assertThat(events.notes).isEmpty();
    assertThat(events.syncs)
        .containsExactly("snapshot: 3 rows copied, 2 rows that left the source removed");
    assertThat(events.states).containsSubsequence(RuleState.SYNCING, RuleState.RUNNING);
  }

  @Test
  void aSnapshotWhoseRowsCarryANewSchemaVersionKeepsEveryRowItCopied() throws Exception {
    writer.register(schema(A, false)); // the shape the journal knew before
    startRule();
    snapshotStarts(A);

    TableSchema widened = writer.register(schema(A, true));
    read(widened, 1, "one");
    read(widened, 2, "two");
    snapshotCompletes(A);

    assertThat(rows("a")).containsExactly("1=one", "2=two");
    assertThat(events.syncs)
        .containsExactly("snapshot: 2 rows copied, 1 rows that left the source removed");
  }

  @Test
  void aTableWithoutRowsInTheSnapshotIsEmptiedWhenItsColumnsAreKnownAndElseLeftAndSaidSo()
      throws Exception {
    writer.register(schema(EMPTY, false)); // journaled before, e.g. by a change streamed earlier
    startRule();
    snapshotStarts(A, EMPTY, NEVER);

    TableSchema a = writer.register(schema(A, false));
    read(a, 1, "one");
    snapshotCompletes(A, EMPTY, NEVER);

    assertThat(rows("a")).containsExactly("1=one");
    assertThat(rows("empty")).isEmpty();
    assertThat(rows("never")).containsExactly("6=of unknown origin");
    assertThat(events.notes).isEmpty();
    assertThat(events.syncs)
        .containsExactly(
            "snapshot: 1 rows copied, 2 rows that left the source removed; public.never was"
                + " empty and not journaled yet: target rows, if any, are kept");
  }

  @Test
  void aResyncOfACdcRuleRepairsItsRowsAndRemovesThoseTheSourceLacksAtItsEnd() throws Exception {
    targetIn("t2.db", "CREATE TABLE a(id INTEGER NOT NULL PRIMARY KEY, v TEXT)");
    targetIn("t2.db", "INSERT INTO a VALUES (1, 'damaged'), (3, 'extra \uD83D\uDE00 \"q\"')");
    TableSchema a = writer.register(schema(A, false));
    startRule(1);
    resyncStarts("c", true, A);
    read(a, 1, "one");
    read(a, 2, "two");
    resyncCompletes("c", A);

    assertThat(rows("t2.db", "a")).containsExactly("1=one", "2=two");
    assertThat(events.syncs)
        .containsExactly("resync: 2 rows copied, 1 rows that left the source removed");
    assertThat(events.abandoned).isEmpty();
  }

  @Test
  void anotherRulesResyncIsPassedOver() throws Exception {
    TableSchema a = writer.register(schema(A, false));
    startRule(0);
    resyncStarts("c", false, A);
    read(a, 1, "one");
    long end = resyncEnd("c", A);
    await(() -> events.checkpoint.get() >= end, "the checkpoint to pass the resync");

    assertThat(rows("a")).containsExactly("1=stale", "99=gone from the source");
    assertThat(events.syncStarts).isEmpty();
  }

  @Test
  void aResyncThatCaptureGaveUpIsAbandonedAndRemovesNothing() throws Exception {
    targetIn("t2.db", "CREATE TABLE a(id INTEGER NOT NULL PRIMARY KEY, v TEXT)");
    targetIn("t2.db", "INSERT INTO a VALUES (3, 'not read before capture restarted')");
    TableSchema a = writer.register(schema(A, false));
    startRule(1);
    resyncStarts("c", true, A);
    read(a, 1, "one");
    writer.append(
        new Marker(JournalPosition.NONE, Marker.Kind.CAPTURE_STARTED, 3, List.of(A), "resumed"));
    writer.sync();
    await(() -> !events.abandoned.isEmpty(), "the resync to be given up");

    assertThat(events.abandoned.get(0)).contains("capture restarted").contains("1 rows copied");
    // the row read is committed with the rule's next batch, after the copy was given up
    await(
        () -> {
          try {
            return rows("t2.db", "a").size() == 2;
          } catch (SQLException e) {
            return false;
          }
        },
        "the row read to be committed");
    assertThat(rows("t2.db", "a")).containsExactly("1=one", "3=not read before capture restarted");
    assertThat(events.states.get(events.states.size() - 1)).isEqualTo(RuleState.RUNNING);
  }

  @Test
  void aRuleStoppedInsideItsResyncCopiesAgainFromItsStart() throws Exception {
    targetIn("t2.db", "CREATE TABLE a(id INTEGER NOT NULL PRIMARY KEY, v TEXT)");
    targetIn("t2.db", "INSERT INTO a VALUES (3, 'the source lacks it')");
    TableSchema a = writer.register(schema(A, false));
    startRule(1);
    resyncStarts("c", true, A);
    read(a, 1, "one");
    long last = read(a, 2, "two");
    writer.sync();
    await(() -> events.checkpoint.get() >= last, "a checkpoint inside the resync");
    running = false;
    loop.join(30_000);

    running = true;
    startRule(1);
    resyncCompletes("c", A);

    assertThat(rows("t2.db", "a")).containsExactly("1=one", "2=two");
    assertThat(events.syncs)
        .containsExactly("resync: 2 rows copied, 1 rows that left the source removed");
  }

  private void resyncStarts(String rule, boolean awaitStart, TableName... tables)
      throws InterruptedException {
    int before = events.syncStarts.size();
    writer.append(
        new Marker(
            JournalPosition.NONE,
            Marker.Kind.SNAPSHOT_STARTED,
            1,
            List.of(tables),
            Marker.resyncDetail(rule)));
    writer.sync();
    if (awaitStart) {
      await(() -> events.syncStarts.size() > before, "the resync's start");
    }
  }

  private long resyncEnd(String rule, TableName... tables) {
    long end =
        writer.append(
            new Marker(
                JournalPosition.NONE,
                Marker.Kind.SNAPSHOT_COMPLETED,
                2,
                List.of(tables),
                Marker.resyncDetail(rule)));
    writer.sync();
    return end;
  }

  private void resyncCompletes(String rule, TableName... tables) throws InterruptedException {
    long end = resyncEnd(rule, tables);
    await(
        () -> events.checkpoint.get() >= end && !events.syncs.isEmpty(),
        "the checkpoint to pass the resync's end and its report");
  }

  private void startRule() throws Exception {
    startRule(0);
  }

  private void startRule(int index) throws Exception {
    Target connection = Targets.connect(config.targets().get(config.rules().get(index).target()));
    ApplyLoop applyLoop =
        new ApplyLoop(
            config.rules().get(index),
            connection,
            journal,
            events,
            () -> running,
            ApplyLoop.Range.FOLLOW,
            null,
            dev.sluice.journal.JournalPosition.NONE,
            null);
    loop =
        new Thread(
            () -> {
              try (connection) {
                applyLoop.run();
              } catch (Exception e) {
                events.failure = e;
              }
            },
            "mirror-copy-test");
    loop.start();
  }

  /** Writes the snapshot's marker alone and waits until the rule has acted on it. */
  private void snapshotStarts(TableName... tables) throws InterruptedException {
    writer.append(
        new Marker(JournalPosition.NONE, Marker.Kind.SNAPSHOT_STARTED, 1, List.of(tables), "x"));
    writer.sync();
    await(() -> !events.syncStarts.isEmpty() || !events.notes.isEmpty(), "the snapshot's start");
  }

  /**
   * Writes the end of the snapshot and waits until the rule's checkpoint has passed it, the copy is
   * reported done and the rule is running again (in this order after the commit).
   */
  private void snapshotCompletes(TableName... tables) throws InterruptedException {
    long end =
        writer.append(
            new Marker(
                JournalPosition.NONE, Marker.Kind.SNAPSHOT_COMPLETED, 2, List.of(tables), ""));
    writer.sync();
    await(
        () ->
            events.checkpoint.get() >= end
                && !events.syncs.isEmpty()
                && events.states.get(events.states.size() - 1) == RuleState.RUNNING,
        "the checkpoint to pass the snapshot's end, the copy's report and the rule running again");
  }

  private long read(TableSchema schema, int id, String v) {
    lsn++;
    Object[] row =
        schema.columns().size() == 3 ? new Object[] {id, v, "w" + id} : new Object[] {id, v};
    return writer.append(
        new ChangeEvent(
            JournalPosition.NONE,
            schema,
            Op.READ,
            null,
            row,
            0,
            new SourcePosition(1, 0, 100, (int) lsn),
            0,
            lsn,
            0));
  }

  private static TableSchema schema(TableName table, boolean widened) {
    List<Column> columns = new ArrayList<>();
    columns.add(Column.of("id", "integer", ValueKind.INT32).asKey(0));
    columns.add(Column.of("v", "text", ValueKind.TEXT));
    if (widened) {
      columns.add(Column.of("w", "text", ValueKind.TEXT));
    }
    return new TableSchema(0, table, columns, ReplicaIdentity.DEFAULT);
  }

  private void target(String... statements) throws SQLException {
    targetIn("t.db", statements);
  }

  private void targetIn(String file, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file));
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The target table's rows as "id=v", by id. */
  private List<String> rows(String table) throws SQLException {
    return rows("t.db", table);
  }

  private List<String> rows(String file, String table) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file));
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, v FROM \"" + table + "\" ORDER BY id")) {
      while (r.next()) {
        rows.add(r.getLong(1) + "=" + r.getString(2));
      }
    }
    return rows;
  }

  private void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!condition.getAsBoolean()) {
      if (events.failure != null) {
        throw new AssertionError("the rule failed waiting for " + what, events.failure);
      }
      if (Instant.now().isAfter(deadline)) {
        fail("waited 30 s for " + what + "; " + events);
      }
      Thread.sleep(5);
    }
  }

  /** What the loop reports, read by the test's thread. */
  private static final class Events implements ApplyLoop.Sink {
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    final List<String> syncStarts = Collections.synchronizedList(new ArrayList<>());
    final List<String> syncs = Collections.synchronizedList(new ArrayList<>());
    final List<String> abandoned = Collections.synchronizedList(new ArrayList<>());
    final List<RuleState> states = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong checkpoint = new AtomicLong(JournalPosition.NONE);
    volatile Exception failure;

    @Override
    public void state(RuleState state) {
      states.add(state);
    }

    @Override
    public void committed(Checkpoint applied, Map<Op, Long> counts, Map<TableName, Long> byTable) {
      checkpoint.set(applied.position());
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
    public void syncStarted(String kind) {
      syncStarts.add(kind);
    }

    @Override
    public void syncProgress(long rows) {}

    @Override
    public void syncFinished(String kind, String summary) {
      syncs.add(kind + ": " + summary);
    }

    @Override
    public void syncAbandoned(String kind, String why) {
      abandoned.add(kind + ": " + why);
    }

    @Override
    public void note(String message) {
      notes.add(message);
    }

    @Override
    public String toString() {
      return "notes "
          + notes
          + ", syncs "
          + syncs
          + ", states "
          + states
          + ", checkpoint "
          + JournalPosition.format(checkpoint.get());
    }
  }
}
