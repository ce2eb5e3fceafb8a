package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SyncPolicy;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddedTablesTest {
  @TempDir Path dir;

  private static final TableName A = new TableName("inv", "a");
  private static final TableName LATE = new TableName("inv", "late");

  private Journal open() {
    return Journal.open(new JournalConfig(dir, Duration.ofDays(7), SyncPolicy.BATCH));
  }

  @Test
  void aTableCapturedNowButNotAtThePreviousStartIsReadUntilItsSnapshotIsDone() {
    try (Journal journal = open()) {
      assertThat(AddedTables.atStart(journal, List.of(A), false)).isEmpty();
      assertThat(AddedTables.atStart(journal, List.of(A), true)).isEmpty();

      assertThat(AddedTables.atStart(journal, List.of(A, LATE), true)).containsExactly(LATE);
      assertThat(AddedTables.atStart(journal, List.of(A, LATE), true))
          .as("not read yet: read at the next start too")
          .containsExactly(LATE);

      AddedTables.done(dir);
      assertThat(AddedTables.atStart(journal, List.of(A, LATE), true)).isEmpty();
    }
  }

  @Test
  void aTableNoLongerCapturedIsNotReadAndAStartWithASnapshotOfEveryTableForgetsThem() {
    try (Journal journal = open()) {
      AddedTables.atStart(journal, List.of(A), false);
      assertThat(AddedTables.atStart(journal, List.of(A, LATE), true)).containsExactly(LATE);

      assertThat(AddedTables.atStart(journal, List.of(A), true)).isEmpty();
      assertThat(AddedTables.atStart(journal, List.of(A, LATE), false)).isEmpty();
      assertThat(AddedTables.atStart(journal, List.of(A, LATE), true)).isEmpty();
    }
  }

  @Test
  void aPartitionedTableIsReadAgainOnlyForAnAttachmentThePreviousStartDidNotKnow() {
    TableName measures = new TableName("inv", "measures");
    try (Journal journal = open()) {
      assertThat(AddedTables.atStart(journal, List.of(A, measures), Map.of(), true))
          .as("no record of attachments yet (an older journal): what is attached now is known")
          .isEmpty();
      assertThat(
              AddedTables.atStart(
                  journal, List.of(A, measures), Map.of("16400:771", measures), true))
          .containsExactly(measures);
      AddedTables.done(dir);
      assertThat(
              AddedTables.atStart(
                  journal, List.of(A, measures), Map.of("16400:771", measures), true))
          .as("known since the previous start")
          .isEmpty();
      assertThat(
              AddedTables.atStart(
                  journal, List.of(A, measures), Map.of("16400:905", measures), true))
          .as("the same partition attached again")
          .containsExactly(measures);
      AddedTables.done(dir);
      assertThat(AddedTables.atStart(journal, List.of(A, measures), Map.of(), true))
          .as("a partition detached")
          .isEmpty();
      assertThat(
              AddedTables.atStart(
                  journal, List.of(A, measures), Map.of("16400:905", measures), false))
          .as("a snapshot of every table reads it anyway")
          .isEmpty();
      assertThat(
              AddedTables.atStart(
                  journal, List.of(A, measures), Map.of("16400:905", measures), true))
          .isEmpty();
    }
  }
}
