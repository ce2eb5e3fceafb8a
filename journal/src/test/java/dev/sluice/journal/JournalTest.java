package dev.sluice.journal;

import static dev.sluice.journal.Fixtures.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SyncPolicy;
import dev.sluice.config.TableName;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  private static final Instant DAY_ONE = Instant.parse("2026-11-01T12:00:00Z");

  @TempDir Path dir;

  private JournalConfig config() {
    return new JournalConfig(dir, Duration.ofDays(7), SyncPolicy.BATCH);
  }

  private static List<JournalEntry> readAll(JournalReader reader) {
    List<JournalEntry> entries = new ArrayList<>();
    for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
      entries.add(e);
    }
    return entries;
  }

  @Test
  void anExistingJournalDirectoryOthersCanReadIsReportedWithItsFix() throws Exception {
    Path shared = java.nio.file.Files.createDirectories(dir.resolve("shared"));
    java.nio.file.Files.setPosixFilePermissions(
        shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
    Path own = java.nio.file.Files.createDirectories(dir.resolve("own"));
    java.nio.file.Files.setPosixFilePermissions(
        own, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

    assertThat(Journal.exposure(shared))
        .hasValue(
            "the journal directory "
                + shared
                + " is rwxr-x---: other users can read the copy of every captured row it holds;"
                + " fix: chmod 700 "
                + shared);
    assertThat(Journal.exposure(own)).isEmpty();
  }

  @Test
  void changesAreReadBackInOrderWithTheirPositions() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      List<Long> positions = new ArrayList<>();
      for (int i = 1; i <= 100; i++) {
        positions.add(writer.append(insert(schema, i, i, i * 10L, i)));
      }
      writer.sync();

      List<JournalEntry> read = readAll(journal.reader());

      assertThat(read).hasSize(100);
      assertThat(read).extracting(JournalEntry::position).containsExactlyElementsOf(positions);
      assertThat(((ChangeEvent) read.get(41)).key()).containsExactly(42L);
      assertThat(journal.firstPosition()).isEqualTo(positions.get(0));
      assertThat(journal.lastPosition()).isEqualTo(positions.get(99));
    }
  }

  @Test
  void aChangeLargerThanAJournalEntryIsRefusedNamingItAndTheJournalStaysUsable() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema =
          writer.register(
              new TableSchema(
                  0,
                  new TableName("public", "files"),
                  List.of(
                      Column.of("id", "bigint", ValueKind.INT64).asKey(0),
                      Column.of("data", "bytea", ValueKind.BYTES)),
                  ReplicaIdentity.DEFAULT));
      long before = writer.append(file(schema, 1, new byte[10]));

      assertThatThrownBy(
              () -> writer.append(file(schema, 2, new byte[JournalWriter.MAX_ENTRY_BYTES])))
          .isInstanceOf(ChangeTooLargeException.class)
          .hasMessageContaining("insert of public.files key [2]")
          .hasMessageContaining("16 MB");
      long after = writer.append(file(schema, 3, new byte[10]));
      writer.sync();

      assertThat(readAll(journal.reader()))
          .extracting(JournalEntry::position)
          .containsExactly(before, after);
    }
  }

  private static ChangeEvent file(TableSchema schema, long id, byte[] data) {
    return new ChangeEvent(
        JournalPosition.NONE,
        schema,
        Op.INSERT,
        null,
        new Object[] {id, data},
        1000 + id,
        new SourcePosition(1, id, id, 0),
        id,
        id,
        ChangeEvent.LAST_IN_TRANSACTION);
  }

  @Test
  void positionsPrintShortAndParseBack() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      writer.append(insert(schema, 1, 1, 1, 1));
      long position = writer.append(insert(schema, 2, 2, 2, 2));

      String printed = JournalPosition.format(position);

      assertThat(printed).matches("\\d{5}:1");
      assertThat(JournalPosition.parse(printed)).isEqualTo(position);
      assertThatThrownBy(() -> JournalPosition.parse("yesterday"))
          .hasMessageContaining("like 20779:42");
    }
  }

  @Test
  void seekStartsAtAPositionAndSeekAfterJustPastIt() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      long third = 0;
      for (int i = 1; i <= 5; i++) {
        long p = writer.append(insert(schema, i, i, i, i));
        if (i == 3) {
          third = p;
        }
      }

      assertThat(((ChangeEvent) journal.reader().seek(third).next()).key()).containsExactly(3L);
      assertThat(((ChangeEvent) journal.reader().seekAfter(third).next()).key())
          .containsExactly(4L);
      assertThat(journal.reader().seekAfter(journal.lastPosition()).next()).isNull();
    }
  }

  @Test
  void aReadOnlyJournalSeesWhatTheWriterAppendsLater() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      writer.append(insert(schema, 1, 1, 1, 1));
      writer.sync();
      try (Journal other = Journal.openReadOnly(dir);
          JournalReader reader = other.reader()) {
        assertThat(readAll(reader)).hasSize(1);

        TableSchema wider =
            writer.register(
                new TableSchema(
                    0,
                    Fixtures.ORDERS,
                    List.of(Column.of("id", "bigint", ValueKind.INT64).asKey(0)),
                    ReplicaIdentity.FULL));
        writer.append(
            new ChangeEvent(
                JournalPosition.NONE,
                wider,
                Op.DELETE,
                new Object[] {1L},
                null,
                5,
                new SourcePosition(1, 9, 9, 0),
                0,
                9,
                0));
        writer.sync();

        List<JournalEntry> later = readAll(reader);
        assertThat(later)
            .singleElement()
            .satisfies(
                e ->
                    assertThat(((ChangeEvent) e).schema().identity())
                        .isEqualTo(ReplicaIdentity.FULL));
      }
    }
  }

  @Test
  void aSecondWriterOfTheSameJournalIsRefused() {
    try (Journal journal = Journal.open(config());
        Journal second = Journal.open(config())) {
      journal.writer();

      assertThatThrownBy(second::writer)
          .isInstanceOf(SetupException.class)
          .hasMessageContaining(
              "is in use by another Sluice process (pid " + ProcessHandle.current().pid() + ")");
    }
  }

  @Test
  void theLastSourcePositionSurvivesAReopen() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      writer.append(insert(schema, 1, 100, 150, 1));
      writer.append(
          new Marker(JournalPosition.NONE, Marker.Kind.SNAPSHOT_COMPLETED, 1, List.of(), ""));
    }
    try (Journal journal = Journal.open(config())) {
      assertThat(journal.writer().lastSourcePosition())
          .isEqualTo(new SourcePosition(1, 100, 150, 0));
    }
  }

  @Test
  void anEmptyJournalHasNoPositions() {
    try (Journal journal = Journal.open(config())) {
      assertThat(journal.firstPosition()).isEqualTo(JournalPosition.NONE);
      assertThat(journal.lastPosition()).isEqualTo(JournalPosition.NONE);
      assertThat(journal.positionAtTime(Instant.EPOCH)).isEqualTo(JournalPosition.NONE);
      assertThat(journal.writer().lastSourcePosition()).isEqualTo(SourcePosition.NONE);
      assertThat(journal.reader().next()).isNull();
    }
  }

  @Test
  void aNewJournalDirectoryIsReadableByItsOwnerOnly() throws Exception {
    Path fresh = dir.resolve("fresh");
    try (Journal journal =
        Journal.open(new JournalConfig(fresh, Duration.ofDays(7), SyncPolicy.BATCH))) {
      JournalWriter writer = journal.writer();
      writer.append(insert(writer.register(Fixtures.orders()), 1, 1, 1, 1));
      writer.sync();
    }

    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(fresh)))
        .isEqualTo("rwx------");
  }

  @Test
  void aJournalDirectoryThatCannotBeCreatedNamesWhatIsInTheWay() throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
    Path under = file.resolve("journal");

    assertThatThrownBy(
            () -> Journal.open(new JournalConfig(under, Duration.ofDays(7), SyncPolicy.BATCH)))
        .isInstanceOf(SetupException.class)
        .hasMessage(
            "cannot use the journal directory "
                + under
                + " (journal.dir): "
                + file
                + " exists and is not a directory; choose another journal.dir");
  }

  @Test
  void noJournalToReadIsAClearError() {
    assertThatThrownBy(() -> Journal.openReadOnly(dir.resolve("nothing")))
        .isInstanceOf(SetupException.class)
        .hasMessageContaining("no journal in")
        .hasMessageContaining("--journal");
  }

  @Test
  void theFirstChangeAtATimeIsFoundAcrossDays() {
    MutableClock clock = new MutableClock(DAY_ONE);
    long micros = DAY_ONE.toEpochMilli() * 1000;
    List<Long> positions = new ArrayList<>();
    try (Journal journal = Journal.open(config(), clock)) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      for (int day = 0; day < 3; day++) {
        for (int i = 0; i < 50; i++) {
          long n = day * 50L + i;
          positions.add(writer.append(insert(schema, n, n, n, micros + n * 1_000_000)));
        }
        writer.append(
            new Marker(
                JournalPosition.NONE, Marker.Kind.CAPTURE_STARTED, 0, List.of(), "day " + day));
        clock.advance(Duration.ofDays(1));
      }

      assertThat(journal.positionAtTime(Instant.ofEpochSecond(0))).isEqualTo(positions.get(0));
      assertThat(journal.positionAtTime(DAY_ONE.plusSeconds(77))).isEqualTo(positions.get(77));
      assertThat(journal.positionAtTime(DAY_ONE.plusMillis(76_500))).isEqualTo(positions.get(77));
      assertThat(journal.positionAtTime(DAY_ONE.plusSeconds(149))).isEqualTo(positions.get(149));
      assertThat(journal.positionAtTime(DAY_ONE.plusSeconds(150))).isEqualTo(JournalPosition.NONE);
      assertThat(JournalPosition.day(positions.get(60)).toString()).isEqualTo("2026-11-02");
    }
  }

  @Test
  void anLsnFindsTheFirstTransactionThatCommittedAtOrAfterIt() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      // three transactions of two changes each, committing at 300, 600 and 900
      List<Long> starts = new ArrayList<>();
      long prevCommit = 0;
      for (int tx = 1; tx <= 3; tx++) {
        long commit = tx * 300L;
        starts.add(writer.append(insert(schema, tx * 10, prevCommit, commit - 200, 1)));
        writer.append(
            insert(schema, tx * 10 + 1, prevCommit, commit - 100, 1).asLastInTransaction(commit));
        prevCommit = commit;
      }

      assertThat(journal.positionAtLsn(1)).isEqualTo(starts.get(0));
      assertThat(journal.positionAtLsn(300)).isEqualTo(starts.get(0));
      assertThat(journal.positionAtLsn(301)).isEqualTo(starts.get(1));
      assertThat(journal.positionAtLsn(600)).isEqualTo(starts.get(1));
      assertThat(journal.positionAtLsn(850)).isEqualTo(starts.get(2));
      assertThat(journal.positionAtLsn(901)).isEqualTo(JournalPosition.NONE);
    }
  }

  @Test
  void retentionRemovesOldDaysButNeverOneAReaderStillNeeds() {
    MutableClock clock = new MutableClock(DAY_ONE);
    try (Journal journal = Journal.open(config(), clock)) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      List<Long> firstOfDay = new ArrayList<>();
      for (int day = 0; day < 10; day++) {
        firstOfDay.add(writer.append(insert(schema, day, day, day, day)));
        writer.append(insert(schema, day + 100, day, day, day));
        clock.advance(Duration.ofDays(1));
      }
      Instant now = clock.instant();

      int pinned = journal.enforceRetention(now, Duration.ofDays(7), firstOfDay.get(1));
      assertThat(pinned).isEqualTo(1);
      assertThat(journal.firstPosition()).isEqualTo(firstOfDay.get(1));

      int removed = journal.enforceRetention(now, Duration.ofDays(7), JournalPosition.NONE);
      assertThat(removed).isEqualTo(2);
      assertThat(journal.firstPosition()).isEqualTo(firstOfDay.get(3));
      assertThat(((ChangeEvent) journal.reader().next()).key()).containsExactly(3L);
      assertThatThrownBy(() -> journal.reader().seek(firstOfDay.get(0)))
          .isInstanceOf(PositionOutOfRangeException.class)
          .hasMessageContaining("removed by journal.retention");
    }
  }

  @Test
  void markersAreFoundWithoutScanningAndTheDistanceCountsEntries() {
    MutableClock clock = new MutableClock(DAY_ONE);
    try (Journal journal = Journal.open(config(), clock)) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      long first = writer.append(insert(schema, 1, 1, 1, 1));
      long marker =
          writer.append(
              new Marker(
                  JournalPosition.NONE,
                  Marker.Kind.SNAPSHOT_STARTED,
                  5,
                  List.of(Fixtures.ORDERS),
                  "x"));
      writer.append(insert(schema, 2, 2, 2, 2));
      clock.advance(Duration.ofDays(1));
      long nextDay = writer.append(insert(schema, 3, 3, 3, 3));

      assertThat(journal.markers())
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.position()).isEqualTo(marker);
                assertThat(m.tables()).containsExactly(Fixtures.ORDERS);
              });
      assertThat(journal.distance(first, marker)).isEqualTo(1);
      assertThat(journal.distance(first, nextDay)).isEqualTo(3);
      assertThat(journal.distance(JournalPosition.NONE, nextDay)).isEqualTo(4);
      assertThat(journal.distance(nextDay, nextDay)).isZero();
    }
  }

  @Test
  void theDurablePositionFollowsSyncs() {
    try (Journal journal = Journal.open(config())) {
      JournalWriter writer = journal.writer();
      TableSchema schema = writer.register(Fixtures.orders());
      long first = writer.append(insert(schema, 1, 1, 1, 1));
      writer.sync();
      writer.append(insert(schema, 2, 2, 2, 2));

      assertThat(journal.durablePosition()).isEqualTo(first);
      writer.sync();
      assertThat(journal.durablePosition()).isEqualTo(journal.lastPosition());
    }
  }

  /** A clock tests move forward. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
