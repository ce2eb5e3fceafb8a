package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.topology.TopologyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgCtlControlTest {
  @TempDir Path dataDir;

  @Test
  void aStalePostmasterPidNamingAnotherProcessIsNeverSignalled() throws Exception {
    Process unrelated = new ProcessBuilder("sleep", "600").start();
    try {
      // what a crashed server leaves behind, its process id since given to another program
      Files.writeString(
          dataDir.resolve("postmaster.pid"),
          unrelated.pid()
              + "\n"
              + dataDir
              + "\n1764900000\n5432\n/tmp\n127.0.0.1\n  5432001 0\nready\n");

      assertThat(PgCtlControl.running(dataDir)).isFalse();
      assertThatThrownBy(() -> new PgCtlControl(null).stop(dataDir))
          .isInstanceOf(TopologyException.class)
          .hasMessageContaining("names process " + unrelated.pid())
          .hasMessageContaining("sleep")
          .hasMessageContaining(
              "which is not this data directory's postmaster: it was not signalled");
      assertThat(unrelated.waitFor(1, TimeUnit.SECONDS)).as("the process ended").isFalse();
    } finally {
      unrelated.destroyForcibly();
    }
  }
}
