package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Op;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} killed with SIGKILL at random moments while the source is written: afterwards
 * the journal holds every committed change exactly once, in commit order. Rounds: 5, or 100 with
 * {@code -Plong}.
 */
class CrashIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("crash-source");
  private static final TableName T = new TableName("public", "t");

  @TempDir Path dir;

  /** What the writer committed, in commit order. */
  private final List<Long> committedInserts = new ArrayList<>();

  private final List<Long> committedUpdates = new ArrayList<>();

  @Test
  void afterKillNineAtRandomMomentsEveryCommittedChangeIsJournaledOnceInOrder() throws Exception {
    int rounds = Boolean.getBoolean("sluice.test.long") ? 100 : 5;
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE crash");
    pg.executeIn("crash", "CREATE TABLE t(id bigint PRIMARY KEY, v int NOT NULL)");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "source: { url: '%s', slot: crash, heartbeat: 1s }\njournal: { dir: journal }\nmonitor: { port: 0 }\n"
            .formatted(pg.jdbcUrl("crash")));
    Path log = dir.resolve("sluice.log");
    establishCapture(config, log);
    Random random = new Random(Long.getLong("sluice.test.seed", System.nanoTime()));
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(() -> write(pg, writing, new Random(random.nextLong())));
    for (int round = 1; round <= rounds; round++) {
      try (SluiceProcess sluice =
          SluiceProcess.start(List.of("-Xmx256m"), log, "run", "-c", config.toString())) {
        Thread.sleep(300 + random.nextInt(4_000));
        assertThat(sluice.isAlive())
            .as("sluice died in round " + round + "; log:\n" + sluice.log())
            .isTrue();
        sluice.kill();
      }
      if (writer.isCompletedExceptionally()) {
        writer.join();
      }
    }
    try (SluiceProcess sluice =
        SluiceProcess.start(List.of("-Xmx256m"), log, "run", "-c", config.toString())) {
      Thread.sleep(1000);
      writing.set(false);
      writer.join();
      awaitJournaled(
          dir.resolve("journal"), committedInserts.size() + committedUpdates.size(), sluice);
      assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
    }

    List<ChangeEvent> changes = changes(dir.resolve("journal"));
    assertThat(
            changes.stream().filter(c -> c.op() == Op.INSERT).map(c -> (Long) c.key()[0]).toList())
        .as("inserts in commit order, each once")
        .containsExactlyElementsOf(committedInserts);
    assertThat(
            changes.stream().filter(c -> c.op() == Op.UPDATE).map(c -> (Long) c.key()[0]).toList())
        .as("updates in commit order, each once")
        .containsExactlyElementsOf(committedUpdates);
    Set<Long> transactions = new HashSet<>();
    long previousTx = -1;
    for (ChangeEvent change : changes) {
      if (change.txId() != previousTx) {
        assertThat(transactions.add(change.txId()))
            .as("transaction %d is contiguous", change.txId())
            .isTrue();
        previousTx = change.txId();
      }
    }
    assertThat(changes.get(changes.size() - 1).isLastInTransaction()).isTrue();
  }

  @Test
  void aSnapshotInterruptedByKillNineIsTakenAgainWhole() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE snap");
    pg.executeIn(
        "snap",
        "CREATE TABLE s(id bigint PRIMARY KEY, pad text NOT NULL)",
        "INSERT INTO s SELECT g, repeat('p', 200) FROM generate_series(1, 200000) g");
    Path config = dir.resolve("snap.yaml");
    Files.writeString(
        config,
        "source: { url: '%s', slot: snap }\njournal: { dir: snap-journal }\nmonitor: { port: 0 }\n"
            .formatted(pg.jdbcUrl("snap")));
    Path log = dir.resolve("snap.log");
    Random random = new Random(Long.getLong("sluice.test.seed", System.nanoTime()));
    for (int round = 1; round <= 3; round++) {
      try (SluiceProcess sluice =
          SluiceProcess.start(List.of(), log, "run", "-c", config.toString())) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!sluice.log().contains("snapshot.start") && Instant.now().isBefore(deadline)) {
          Thread.sleep(50);
        }
        Thread.sleep(random.nextInt(1_500));
        sluice.kill();
      }
    }
    try (SluiceProcess sluice =
        SluiceProcess.start(List.of(), log, "run", "-c", config.toString())) {
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      while (!sluice.log().contains("snapshot.done") && Instant.now().isBefore(deadline)) {
        assertThat(sluice.isAlive()).as(sluice.log()).isTrue();
        Thread.sleep(200);
      }
      pg.executeIn("snap", "INSERT INTO s VALUES (0, 'after')");
      Thread.sleep(3000);
      assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
    }

    List<JournalEntry> entries = entries(dir.resolve("snap-journal"));
    int lastStart = -1;
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) instanceof dev.sluice.journal.Marker m
          && m.kind() == dev.sluice.journal.Marker.Kind.SNAPSHOT_STARTED) {
        lastStart = i;
      }
    }
    List<Long> lastSnapshot = new ArrayList<>();
    boolean completed = false;
    List<ChangeEvent> streamed = new ArrayList<>();
    for (JournalEntry entry : entries.subList(lastStart + 1, entries.size())) {
      if (entry instanceof ChangeEvent c && c.op() == Op.READ) {
        lastSnapshot.add((Long) c.key()[0]);
      } else if (entry instanceof dev.sluice.journal.Marker m
          && m.kind() == dev.sluice.journal.Marker.Kind.SNAPSHOT_COMPLETED) {
        completed = true;
      } else if (entry instanceof ChangeEvent c) {
        streamed.add(c);
      }
    }
    assertThat(completed).isTrue();
    assertThat(lastSnapshot).hasSize(200_000).doesNotHaveDuplicates();
    assertThat(streamed).singleElement().satisfies(c -> assertThat(c.key()).containsExactly(0L));
  }

  /** A first run until capture streams and has stored its position: crashes then hit streaming. */
  private static void establishCapture(Path config, Path log) throws Exception {
    try (SluiceProcess sluice =
        SluiceProcess.start(List.of(), log, "run", "-c", config.toString())) {
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      while (!sluice.log().contains("sluice is running") && Instant.now().isBefore(deadline)) {
        assertThat(sluice.isAlive()).as(sluice.log()).isTrue();
        Thread.sleep(100);
      }
      Thread.sleep(2500); // the position is stored every second
      assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
    }
  }

  private void write(PostgresCluster pg, AtomicBoolean writing, Random random) {
    long next = 1;
    try (Connection connection = pg.connect("crash");
        PreparedStatement insert = connection.prepareStatement("INSERT INTO t VALUES (?, 0)");
        PreparedStatement update =
            connection.prepareStatement("UPDATE t SET v = v + 1 WHERE id = ?")) {
      connection.setAutoCommit(false);
      while (writing.get()) {
        int rows = 1 + random.nextInt(20);
        List<Long> inserted = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
          insert.setLong(1, next);
          insert.executeUpdate();
          inserted.add(next++);
        }
        long target = 1 + (long) random.nextInt((int) next - 1);
        update.setLong(1, target);
        int updated = update.executeUpdate();
        connection.commit();
        synchronized (this) {
          committedInserts.addAll(inserted);
          if (updated == 1) {
            committedUpdates.add(target);
          }
        }
        Thread.sleep(random.nextInt(5));
      }
    } catch (Exception e) {
      throw new IllegalStateException("the workload failed", e);
    }
  }

  private static void awaitJournaled(Path journal, int count, SluiceProcess sluice)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    int seen = 0;
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(journal.resolve("queue/metadata.cq4t"))) {
        seen = changes(journal).size();
        if (seen >= count) {
          return;
        }
      }
      assertThat(sluice.isAlive()).as(sluice.log()).isTrue();
      Thread.sleep(500);
    }
    throw new AssertionError(
        "the journal has " + seen + " of " + count + " changes; log:\n" + sluice.log());
  }

  private static List<JournalEntry> entries(Path journalDir) {
    List<JournalEntry> entries = new ArrayList<>();
    try (Journal journal = Journal.openReadOnly(journalDir);
        JournalReader reader = journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        entries.add(e);
      }
    }
    return entries;
  }

  private static List<ChangeEvent> changes(Path journalDir) {
    List<ChangeEvent> changes = new ArrayList<>();
    try (Journal journal = Journal.openReadOnly(journalDir);
        JournalReader reader = journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        if (e instanceof ChangeEvent c && c.table().equals(T)) {
          changes.add(c);
        }
      }
    }
    return changes;
  }
}
