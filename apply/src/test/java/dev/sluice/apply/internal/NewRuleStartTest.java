package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SyncPolicy;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalWriter;
import dev.sluice.journal.Marker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a rule without a checkpoint in its target starts reading the journal. */
class NewRuleStartTest {
  @TempDir Path dir;

  private static final List<TableName> ALL =
      List.of(new TableName("public", "a"), new TableName("public", "b"));

  private static long mark(
      JournalWriter writer, Marker.Kind kind, List<TableName> tables, String detail) {
    return writer.append(new Marker(JournalPosition.NONE, kind, 1, tables, detail));
  }

  @Test
  void aNewRuleStartsAtTheLatestSnapshotOfEveryTableNotAtOneOfAnAddedTable() {
    try (Journal journal =
        Journal.open(new JournalConfig(dir, Duration.ofDays(7), SyncPolicy.BATCH))) {
      JournalWriter writer = journal.writer();
      mark(writer, Marker.Kind.CAPTURE_STARTED, ALL, "started on a new slot s");
      long full = mark(writer, Marker.Kind.SNAPSHOT_STARTED, ALL, "initial");
      mark(writer, Marker.Kind.SNAPSHOT_COMPLETED, ALL, "");
      mark(writer, Marker.Kind.CAPTURE_STARTED, ALL, "resumed");
      mark(
          writer,
          Marker.Kind.SNAPSHOT_STARTED,
          List.of(new TableName("public", "late")),
          Marker.TABLES_ADDED);
      mark(writer, Marker.Kind.SNAPSHOT_COMPLETED, List.of(new TableName("public", "late")), "");
      writer.sync();

      assertThat(ApplyLoop.startOfNewRule(journal)).isEqualTo(full);
    }
  }

  @Test
  void withoutAnySnapshotANewRuleStartsAtTheJournalsStart() {
    try (Journal journal =
        Journal.open(new JournalConfig(dir, Duration.ofDays(7), SyncPolicy.BATCH))) {
      JournalWriter writer = journal.writer();
      long first = mark(writer, Marker.Kind.CAPTURE_STARTED, ALL, "started on a new slot s");
      mark(
          writer,
          Marker.Kind.SNAPSHOT_STARTED,
          List.of(new TableName("public", "late")),
          Marker.TABLES_ADDED);
      writer.sync();

      assertThat(ApplyLoop.startOfNewRule(journal)).isEqualTo(first);
    }
  }
}
