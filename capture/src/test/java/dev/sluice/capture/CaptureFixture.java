package dev.sluice.capture;

import static org.assertj.core.api.Assertions.fail;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.SyncPolicy;
import dev.sluice.config.TablePattern;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A database of its own on a shared cluster, with a journal and capture for one test. */
final class CaptureFixture implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  final PostgresCluster cluster;
  final String database;
  final Path journalDir;
  Journal journal;
  Capture capture;

  CaptureFixture(PostgresCluster cluster) throws Exception {
    this.cluster = cluster;
    this.database = "db" + COUNTER.incrementAndGet();
    cluster.execute("CREATE DATABASE " + database);
    this.journalDir = Files.createTempDirectory("sluice-journal");
  }

  /** Runs SQL in this fixture's database. */
  void sql(String... statements) {
    cluster.executeIn(database, statements);
  }

  SourceConfig source(SnapshotMode snapshot, String... tables) {
    return new SourceConfig(
        cluster.jdbcUrl(database),
        "postgres",
        null,
        "slot_" + database,
        "sluice",
        java.util.Arrays.stream(tables).map(TablePattern::parse).toList(),
        snapshot,
        Duration.ofMillis(500));
  }

  Journal journal() {
    if (journal == null) {
      journal = Journal.open(new JournalConfig(journalDir, Duration.ofDays(7), SyncPolicy.BATCH));
    }
    return journal;
  }

  Capture start(SourceConfig source) {
    return start(source, dev.sluice.capture.internal.EngineProperties.Tuning.DEFAULT);
  }

  Capture start(SourceConfig source, dev.sluice.capture.internal.EngineProperties.Tuning tuning) {
    capture =
        Capture.start(
            source,
            Capture.Options.of(journal())
                .withStatusInterval(Duration.ofMillis(200))
                .withTuning(tuning));
    return capture;
  }

  void stop() {
    if (capture != null) {
      capture.close();
      capture = null;
    }
  }

  List<JournalEntry> entries() {
    List<JournalEntry> entries = new ArrayList<>();
    try (JournalReader reader = journal().reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        entries.add(e);
      }
    }
    return entries;
  }

  List<ChangeEvent> changes() {
    return entries().stream()
        .filter(ChangeEvent.class::isInstance)
        .map(ChangeEvent.class::cast)
        .toList();
  }

  /** Waits up to 60 s until the journal's changes satisfy the condition; returns them. */
  List<ChangeEvent> awaitChanges(Predicate<List<ChangeEvent>> condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    List<ChangeEvent> changes = changes();
    while (!condition.test(changes)) {
      if (Instant.now().isAfter(deadline)) {
        fail(
            "the journal did not get the expected changes in 60 s; it has "
                + changes.size()
                + ": "
                + changes);
      }
      if (capture != null && capture.completion().isCompletedExceptionally()) {
        capture.completion().join();
      }
      Thread.sleep(50);
      changes = changes();
    }
    return changes;
  }

  List<ChangeEvent> awaitCount(int count) throws InterruptedException {
    return awaitChanges(c -> c.size() >= count);
  }

  /**
   * Waits up to 30 s until no replication connection holds a slot of this database (the server's
   * walsender exits a moment after capture closed its connection).
   */
  void awaitSlotsReleased() throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    String sql =
        "SELECT count(*) FROM pg_replication_slots WHERE active AND database = '" + database + "'";
    while (Instant.now().isBefore(deadline)) {
      try (java.sql.Connection c = cluster.connect();
          java.sql.Statement s = c.createStatement();
          java.sql.ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return;
        }
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    if (journal != null) {
      journal.close();
    }
    try {
      awaitSlotsReleased();
      cluster.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
              + database
              + "'",
          "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    } finally {
      try (var paths = Files.walk(journalDir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
