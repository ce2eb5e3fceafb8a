package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetFileTest {
  @TempDir Path dir;

  @Test
  void anOffsetInTheMiddleOfAnInitialSnapshotIsUnfinishedAndAStreamingOneIsNot() {
    assertThat(
            OffsetFile.snapshotUnfinished(
                Map.of("lsn", 5L, "snapshot", "INITIAL", "snapshot_completed", false)))
        .isTrue();
    assertThat(
            OffsetFile.snapshotUnfinished(
                Map.of("lsn", 5L, "snapshot", "INITIAL", "snapshot_completed", true)))
        .isFalse();
    assertThat(OffsetFile.snapshotUnfinished(Map.of("lsn", 9L, "lsn_commit", 8L))).isFalse();
  }

  @Test
  void aCompletedSnapshotIsStoredUnderTheEnginesKeyAtTheSnapshotsLsn() {
    Path file = dir.resolve("offsets.dat");
    Map<String, Object> unfinished =
        Map.of(
            "last_snapshot_record",
            false,
            "lsn",
            100L,
            "txId",
            7,
            "ts_usec",
            1L,
            "snapshot",
            "INITIAL",
            "snapshot_completed",
            false);

    OffsetFile.writeCompletedSnapshot(file, "sluice-s", "sluice", 123L, Optional.of(unfinished));

    Map<ByteBuffer, ByteBuffer> entries = OffsetFile.read(file);
    assertThat(entries.keySet())
        .extracting(key -> StandardCharsets.UTF_8.decode(key.duplicate()).toString())
        .containsExactly("[\"sluice-s\",{\"server\":\"sluice\"}]");
    Map<String, Object> stored = OffsetFile.sourceOffset(file).orElseThrow();
    assertThat(stored)
        .containsEntry("lsn", 123)
        .containsEntry("txId", 7)
        .containsEntry("snapshot", "INITIAL")
        .containsEntry("last_snapshot_record", true)
        .containsEntry("snapshot_completed", true);
    assertThat(OffsetFile.snapshotUnfinished(stored)).isFalse();
  }
}
