package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SyncPolicy;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
}
