package dev.sluice.cli;

import dev.sluice.capture.Capture;
import dev.sluice.config.DurableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks the next capture start to read every captured table again: the request ({@link
 * Capture#SNAPSHOT_REQUEST}) is written durably first, then the stored source position is deleted.
 * A crash between the two leaves the request with the old position, and capture takes the snapshot
 * anyway; the other order could leave neither, and with {@code snapshot: never} nothing would read
 * the tables again.
 */
final class SnapshotRequest {
  private SnapshotRequest() {}

  /**
   * @param why a line saying who asked, kept in the request file
   */
  static void write(Path journalDir, String why) throws IOException {
    DurableFile.replace(
        journalDir.resolve(Capture.SNAPSHOT_REQUEST),
        (why + "\n").getBytes(StandardCharsets.UTF_8));
    if (Files.deleteIfExists(journalDir.resolve(Capture.OFFSETS_FILE))) {
      DurableFile.syncDirectory(journalDir);
    }
  }
}
