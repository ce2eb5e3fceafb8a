package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.capture.internal.OffsetFile;
import dev.sluice.config.SnapshotMode;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.testkit.PostgresExtension;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Starts of capture after a snapshot that a crash ({@code kill -9}) interrupted, or whose end the
 * engine had not stored yet: the journal still holds every change exactly once.
 */
class SnapshotRestartIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("snapshot-restart");

  @Test
  void aSnapshotWhoseEndIsJournaledButNotStoredIsNotTakenAgainSoLaterDeletesArrive()
      throws Exception {
    try (CaptureFixture f = new CaptureFixture(SOURCE.cluster())) {
      f.sql("CREATE TABLE t(id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
      var source = f.source(SnapshotMode.INITIAL, "t");
      f.start(source);
      f.sql("INSERT INTO t VALUES (101)");
      List<ChangeEvent> first = f.awaitCount(101);
      long snapshotLsn = first.get(0).source().lsn();
      f.stop();
      // what a kill -9 leaves when it comes after the snapshot's last row was journaled and before
      // the engine stored its position again: the position of a row in the middle of the snapshot
      storeUnfinishedSnapshot(f, source.slot(), snapshotLsn);
      f.sql("DELETE FROM t WHERE id <= 10", "INSERT INTO t VALUES (102)");

      f.start(source);
      List<ChangeEvent> changes =
          f.awaitChanges(c -> c.stream().anyMatch(e -> e.op() == Op.INSERT && key(e) == 102));

      assertThat(changes.stream().filter(c -> c.op() == Op.DELETE).map(SnapshotRestartIT::key))
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      assertThat(changes.stream().filter(c -> c.op() == Op.READ)).hasSize(100);
      assertThat(changes.stream().filter(c -> c.op() == Op.INSERT).map(SnapshotRestartIT::key))
          .containsExactly(101L, 102L);
      assertThat(
              f.entries().stream()
                  .filter(e -> e instanceof Marker m && m.kind() == Marker.Kind.SNAPSHOT_STARTED))
          .hasSize(1);
    }
  }

  @Test
  void aSnapshotOnAnExistingSlotIsTakenFromANewSlotCreatedWithIt() throws Exception {
    try (CaptureFixture f = new CaptureFixture(SOURCE.cluster())) {
      f.sql("CREATE TABLE t(id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 20)");
      var source = f.source(SnapshotMode.INITIAL, "t");
      // what a kill -9 during the first snapshot leaves: the slot, and no stored position
      f.sql(
          "SELECT pg_create_logical_replication_slot('" + source.slot() + "', 'pgoutput')",
          "DELETE FROM t WHERE id <= 5");

      f.start(source);
      f.sql("DELETE FROM t WHERE id = 6", "INSERT INTO t VALUES (100)");
      List<ChangeEvent> changes =
          f.awaitChanges(c -> c.stream().anyMatch(e -> e.op() == Op.INSERT && key(e) == 100));

      java.util.Set<Long> rows = new java.util.TreeSet<>();
      for (ChangeEvent change : changes) {
        if (change.op() == Op.DELETE) {
          rows.remove(key(change));
        } else {
          rows.add(key(change));
        }
      }
      assertThat(rows)
          .containsExactly(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 100L);
      assertThat(f.entries().get(0))
          .isInstanceOfSatisfying(
              Marker.class,
              m ->
                  assertThat(m.detail())
                      .isEqualTo(
                          "started on a new slot "
                              + source.slot()
                              + " (the existing one was dropped)"));
    }
  }

  private static long key(ChangeEvent change) {
    return ((Number) change.key()[0]).longValue();
  }

  private static void storeUnfinishedSnapshot(CaptureFixture f, String slot, long lsn)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> offset = new LinkedHashMap<>();
    offset.put("last_snapshot_record", false);
    offset.put("lsn", lsn);
    offset.put("ts_usec", System.currentTimeMillis() * 1_000);
    offset.put("snapshot", "INITIAL");
    offset.put("snapshot_completed", false);
    OffsetFile.write(
        f.journalDir.resolve(Capture.OFFSETS_FILE),
        Map.of(
            ByteBuffer.wrap(
                json.writeValueAsBytes(List.of("sluice-" + slot, Map.of("server", "sluice")))),
            ByteBuffer.wrap(json.writeValueAsBytes(offset))));
  }
}
