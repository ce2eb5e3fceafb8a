package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
  @TempDir Path dir;

  @Test
  void aWrittenStateFileReadsBackEqual() {
    Snapshot snapshot = SampleSnapshots.withFailedRule("target refused");
    List<ActivityEvent> events =
        List.of(
            new ActivityEvent(
                Instant.parse("2026-11-22T03:00:00Z"), "capture.started", "capture", "up"),
            new ActivityEvent(
                Instant.parse("2026-11-22T03:00:01Z"), "rule.error", "pg-to-mongo", "no"));
    Path file = dir.resolve("state.json");
    StateFile.write(file, snapshot, events);
    StateFile.Contents contents = StateFile.read(file);
    assertThat(contents.format()).isEqualTo(StateFile.FORMAT);
    assertThat(contents.snapshot()).isEqualTo(snapshot);
    assertThat(contents.events()).isEqualTo(events);
  }

  @Test
  void itIsReadableByItsOwnerOnlyAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("state.json");
    StateFile.write(file, SampleSnapshots.healthy(), List.of());
    StateFile.write(file, SampleSnapshots.healthy(), List.of());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void itHoldsNoCredentials() throws Exception {
    Path file = dir.resolve("state.json");
    StateFile.write(
        file,
        SampleSnapshots.withFailedRule("jdbc:postgresql://u:pw-in-url-42@h/db failed"),
        List.of(new ActivityEvent(Instant.now(), "error", "x", "mongodb://u:pw-in-url-42@h/db")));
    assertThat(Files.readString(file)).doesNotContain("pw-in-url-42").contains("<masked>");
  }

  @Test
  void aMissingOrForeignFileIsReportedClearly() throws Exception {
    assertThatThrownBy(() -> StateFile.read(dir.resolve("none.json")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("there is no state file");
    Path foreign = Files.writeString(dir.resolve("foreign.json"), "{\"hello\": 1}");
    assertThatThrownBy(() -> StateFile.read(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a Sluice state file");
    Path text = Files.writeString(dir.resolve("text.json"), "not json");
    assertThatThrownBy(() -> StateFile.read(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a Sluice state file");
  }

  @Test
  void aViewReloadsTheFileWhenItChangesAndPublishesOnlyNewEvents() throws Exception {
    Path file = dir.resolve("state.json");
    ActivityEvent first = new ActivityEvent(Instant.now(), "capture.started", "capture", "up");
    StateFile.write(file, SampleSnapshots.healthy(), List.of(first));
    ActivityFeed feed = new ActivityFeed();
    StateFileView view = StateFileView.open(file, feed);
    assertThat(view.snapshot().health().ok()).isTrue();
    assertThat(feed.last(10)).containsExactly(first);

    ActivityEvent second = new ActivityEvent(Instant.now(), "rule.error", "pg-to-mongo", "down");
    StateFile.write(file, SampleSnapshots.withFailedRule("down"), List.of(first, second));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    assertThat(view.snapshot().health().ok()).isFalse();
    assertThat(feed.last(10)).containsExactly(first, second);

    Files.delete(file);
    assertThat(view.snapshot().health().ok()).as("the last figures stay").isFalse();
  }

  @Test
  void figuresOlderThanFivePollsAreNotHealthyBecauseTheSidecarIsLikelyDown() throws Exception {
    Snapshot old = SampleSnapshots.healthy();
    Snapshot hourOld =
        new Snapshot(
            Instant.now().minusSeconds(3600),
            old.poll(),
            old.pipeline(),
            old.rules(),
            old.replicas(),
            null);
    Path file = dir.resolve("state.json");
    StateFile.write(file, hourOld, List.of());
    Snapshot seen = StateFileView.open(file, new ActivityFeed()).snapshot();
    assertThat(seen.health().ok()).isFalse();
    assertThat(seen.health().reasons()).hasSize(1);
    assertThat(seen.health().reasons().get(0)).startsWith("the state file is stale");
    assertThat(seen.rules()).isEqualTo(hourOld.rules());
  }
}
