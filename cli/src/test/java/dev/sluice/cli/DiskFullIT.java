package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.capture.Capture;
import dev.sluice.testkit.PostgresExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's disk fills up under a running sidecar (a small tmpfs mounted by the test, which
 * needs root): capture pauses with a clear message and the slot keeps the WAL; when space is freed
 * it resumes, and every change arrives, once.
 */
class DiskFullIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("disk-full");

  @TempDir Path dir;
  private Path mount;

  @BeforeEach
  void mountASmallFilesystem() throws Exception {
    mount = dir.resolve("small");
    Files.createDirectories(mount);
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=400m", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assumeTrue(p.waitFor() == 0, "cannot mount a tmpfs (needs root): " + out);
  }

  @AfterEach
  void unmount() throws Exception {
    new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
  }

  @Test
  void whenTheJournalDiskIsFullCapturePausesAndResumesWhenSpaceReturnsLosingNothing()
      throws Exception {
    try (FaultRig rig = FaultRig.create(PG.cluster(), PG.cluster(), "diskfull", dir, "")) {
      rig.relocateJournal("small/journal");
      rig.sql(
          Workload.TABLE, "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 100) g");
      try (SluiceProcess sluice = rig.run();
          Connection target = rig.pgTargetConnection()) {
        FaultRig.awaitRunning(sluice);
        FaultRig.await(
            () -> FaultRig.count(target, "t") == 100,
            Duration.ofMinutes(2),
            () -> "the snapshot on the target; log:\n" + sluice.log());

        Path filler = mount.resolve("filler");
        fill(
            filler,
            Files.getFileStore(mount).getUsableSpace() - (Capture.JOURNAL_MIN_FREE_BYTES / 2));
        rig.sql("INSERT INTO t(v, note) SELECT g, 'while full' FROM generate_series(1, 500) g");
        FaultRig.awaitLog(sluice, "capture is paused", Duration.ofMinutes(1));
        assertThat(sluice.log()).contains("the journal's disk (").contains("nothing is lost");
        assertThat(FaultRig.count(target, "t")).as("nothing journaled while full").isEqualTo(100);
        assertThat(sluice.isAlive()).isTrue();

        Files.delete(filler);
        FaultRig.awaitLog(sluice, "capture resumes", Duration.ofMinutes(1));
        rig.sql("UPDATE t SET note = 'after' WHERE id <= 10");
        rig.assertTargetsEqualAndNoDuplicates();
        assertThat(FaultRig.count(target, "t")).isEqualTo(600);
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
    }
  }

  /** Writes {@code bytes} of zeros (tmpfs keeps what is written, not what is only declared). */
  private static void fill(Path file, long bytes) throws IOException {
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < bytes; written += block.length) {
        out.write(block, 0, (int) Math.min(block.length, bytes - written));
      }
    }
  }
}
