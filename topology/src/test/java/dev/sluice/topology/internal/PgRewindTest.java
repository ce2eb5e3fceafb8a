package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Dialect;
import dev.sluice.config.LagTolerance;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.NodeRole;
import dev.sluice.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PgRewindTest {
  private static final String PASSWORD = "s3cr:et\\pa ss'wörd𝄞";

  @TempDir Path dir;

  /**
   * A stand-in {@code pg_rewind} (found first in the bin directory, as a real one would be) that
   * keeps the password file it was given and waits until the test has read its command line.
   */
  private Path fakePgRewind() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path script = bin.resolve("pg_rewind");
    Files.writeString(
        script,
        """
        #!/bin/sh
        if [ "$1" = "--version" ]; then echo "pg_rewind (PostgreSQL) 17.2"; exit 0; fi
        cp "$PGPASSFILE" "%1$s/passfile-seen"
        stat -c %%a "$PGPASSFILE" > "%1$s/passfile-mode"
        echo "$PGPASSFILE" > "%1$s/passfile-path"
        while [ ! -e "%1$s/release" ]; do sleep 0.05; done
        echo "pg_rewind: Done!"
        """
            .formatted(dir));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return bin;
  }

  private static Endpoint master() {
    NodeConfig node =
        new NodeConfig(
            "primary",
            NodeRole.MASTER,
            "jdbc:postgresql://127.0.0.1:5999/app",
            "replicator",
            Secret.of(PASSWORD),
            null,
            LagTolerance.CAUGHT_UP);
    return new Endpoint(
        "app",
        node,
        node.url(),
        "replicator",
        Secret.of(PASSWORD),
        Dialect.POSTGRESQL,
        "127.0.0.1",
        5999,
        "app");
  }

  @Test
  @Timeout(120)
  void thePasswordIsNeverOnPgRewindsCommandLineItComesInAnOwnerOnlyFileRemovedAfterwards()
      throws Exception {
    Path bin = fakePgRewind();
    PgTool tool = PgTool.find("pg_rewind", bin, 17, new ArrayList<>()).orElseThrow();
    List<String> output = new ArrayList<>();

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new PgRewind(tool)
                    .run(dir.resolve("data"), master(), "standby-1", output, 60);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    String cmdline = awaitCommandLine(bin.resolve("pg_rewind").toString());
    Files.createFile(dir.resolve("release"));

    assertThat(exit.get()).isZero();
    assertThat(cmdline)
        .contains("--source-server=host='127.0.0.1' port=5999 user='replicator'")
        .contains("application_name='standby-1'")
        .doesNotContain("password")
        .doesNotContain("s3cr");
    assertThat(Files.readString(dir.resolve("passfile-seen")))
        .isEqualTo("*:*:*:*:s3cr\\:et\\\\pa ss'wörd𝄞\n");
    assertThat(Files.readString(dir.resolve("passfile-mode")).strip()).isEqualTo("600");
    assertThat(Path.of(Files.readString(dir.resolve("passfile-path")).strip())).doesNotExist();
    assertThat(output).contains("pg_rewind: Done!");
  }

  /**
   * The command line of the running process started from {@code program} with {@code
   * --target-pgdata}, among this JVM's descendants, read from {@code /proc/PID/cmdline} (its
   * arguments are separated by spaces here).
   */
  private static String awaitCommandLine(String program) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Optional<String> found =
          ProcessHandle.current()
              .descendants()
              .map(PgRewindTest::commandLine)
              .filter(c -> c.contains(program) && c.contains("--target-pgdata"))
              .findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("pg_rewind was not started");
  }

  private static String commandLine(ProcessHandle process) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException e) {
      return ""; // it ended meanwhile
    }
  }
}
