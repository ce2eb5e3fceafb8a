package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.capture.Capture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRequestTest {
  @TempDir Path journal;

  @Test
  void theRequestIsWrittenAndTheStoredPositionForgotten() throws Exception {
    Files.writeString(journal.resolve(Capture.OFFSETS_FILE), "position");

    SnapshotRequest.write(journal, "after a promotion");

    assertThat(journal.resolve(Capture.SNAPSHOT_REQUEST)).hasContent("after a promotion");
    assertThat(journal.resolve(Capture.OFFSETS_FILE)).doesNotExist();
  }

  @Test
  void whenThePositionCannotBeRemovedTheRequestIsAlreadyOnDisk() throws Exception {
    // a position that cannot be deleted stands for a crash between the two steps
    Path offsets = Files.createDirectories(journal.resolve(Capture.OFFSETS_FILE));
    Files.writeString(offsets.resolve("in-the-way"), "x");

    assertThatThrownBy(() -> SnapshotRequest.write(journal, "requested by 'sluice snapshot'"))
        .isInstanceOf(IOException.class);

    assertThat(journal.resolve(Capture.SNAPSHOT_REQUEST))
        .hasContent("requested by 'sluice snapshot'");
  }
}
