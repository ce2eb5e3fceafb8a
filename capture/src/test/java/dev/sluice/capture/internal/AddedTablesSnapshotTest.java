package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddedTablesSnapshotTest {
  private static final List<TableName> LATE = List.of(new TableName("public", "late"));
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  @TempDir Path journalDir;

  private long oldestRunning = 90;
  private final List<List<TableName>> signals = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  private AddedTablesSnapshot snapshot() throws Exception {
    Files.writeString(journalDir.resolve(AddedTables.FILE), "public.late\n");
    AddedTablesSnapshot.Source source =
        new AddedTablesSnapshot.Source() {
          @Override
          public long oldestRunningXid() {
            return oldestRunning;
          }

          @Override
          public Optional<String> describeTransaction(long xid) {
            return Optional.of("pid 4242");
          }
        };
    return new AddedTablesSnapshot(
        LATE, source, 100, signals::add, journalDir, (type, m) -> events.add(type + ": " + m), T0);
  }

  @Test
  void itIsAskedForOnlyOnceNoTransactionOlderThanTheTablesAdditionIsOpen() throws Exception {
    AddedTablesSnapshot added = snapshot();
    added.tend(T0.plusMillis(200));
    added.tend(T0.plusSeconds(5));
    assertThat(signals).isEmpty();
    assertThat(added.problem()).isNull();

    added.tend(T0.plusSeconds(11));
    assertThat(added.problem()).contains("waits for transaction 90 (pid 4242)");
    assertThat(added.pending()).isEqualTo(LATE);

    oldestRunning = 100;
    added.tend(T0.plusSeconds(12));
    added.tend(T0.plusSeconds(13));
    assertThat(signals).containsExactly(LATE);
  }

  @Test
  void aRequestThatDoesNotStartIsAskedForAgainAndSaidSo() throws Exception {
    oldestRunning = 100;
    AddedTablesSnapshot added = snapshot();
    added.tend(T0);
    added.tend(T0.plusSeconds(30));
    assertThat(signals).hasSize(1);
    added.tend(T0.plusSeconds(31));
    assertThat(signals).hasSize(2);
    assertThat(added.problem()).contains("did not start within 30 s").contains("public.late");
    assertThat(events).singleElement().asString().startsWith("capture.error");

    added.started();
    added.tend(T0.plusSeconds(90));
    assertThat(signals).hasSize(2);
  }

  @Test
  void anAbortedSnapshotIsAskedForAgainAfterAPause() throws Exception {
    oldestRunning = 100;
    AddedTablesSnapshot added = snapshot();
    added.tend(T0);
    added.started();
    added.aborted(
        "the snapshot of the added tables public.late did not complete", T0.plusSeconds(1));
    assertThat(added.problem()).contains("did not complete").contains("asked again in 5 s");
    added.tend(T0.plusSeconds(3));
    assertThat(signals).hasSize(1);
    added.tend(T0.plusSeconds(6));
    assertThat(signals).hasSize(2);
    assertThat(added.pending()).isEqualTo(LATE);
  }

  @Test
  void aCompletedSnapshotForgetsTheTablesAndClearsTheProblem() throws Exception {
    oldestRunning = 100;
    AddedTablesSnapshot added = snapshot();
    added.tend(T0);
    added.started();
    added.aborted("failed", T0);
    added.tend(T0.plusSeconds(6));
    added.started();
    added.completed(T0.plusSeconds(7));
    assertThat(added.isDone()).isTrue();
    assertThat(added.problem()).isNull();
    assertThat(added.pending()).isEmpty();
    assertThat(journalDir.resolve(AddedTables.FILE)).doesNotExist();
    added.aborted("too late", T0.plusSeconds(8));
    assertThat(added.isDone()).isTrue();
  }
}
