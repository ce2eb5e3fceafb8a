package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PgToolTest {
  /** Debian's PostgreSQL 15 client tools, present on the development machines. */
  private static final Path PG15 = Path.of("/usr/lib/postgresql/15/bin");

  @Test
  void aPgRewindOfAnotherMajorVersionIsPassedOverAndTheLogSaysWhy() {
    assumeTrue(Files.isExecutable(PG15.resolve("pg_rewind")), "needs PostgreSQL 15's pg_rewind");
    List<String> tried = new ArrayList<>();

    assertThat(PgTool.find("pg_rewind", PG15, 17, tried)).isEmpty();
    assertThat(tried).anyMatch(t -> t.matches(PG15 + "/pg_rewind is version 15\\.\\d+, not 17"));
  }

  @Test
  void aPgRewindOfTheRightMajorVersionIsUsed() {
    assumeTrue(Files.isExecutable(PG15.resolve("pg_rewind")), "needs PostgreSQL 15's pg_rewind");

    assertThat(PgTool.find("pg_rewind", PG15, 15, new ArrayList<>()))
        .hasValueSatisfying(t -> assertThat(t.version()).startsWith("15."));
  }

  @Test
  void whenNoProgramIsFoundTheLogSaysWhereItLooked(@TempDir Path empty) {
    List<String> tried = new ArrayList<>();

    assertThat(PgTool.find("pg_no_such_tool", empty, 17, tried)).isEmpty();
    assertThat(tried)
        .containsExactly("no pg_no_such_tool in " + empty + " or the directories of PATH");
  }

  @Test
  @Timeout(120)
  void aProgramThatHangsHoldingItsOutputOpenIsKilledAtItsTimeoutWithEveryProcessItStarted(
      @TempDir Path dir) throws Exception {
    Path program = dir.resolve("pg_ctl");
    Files.writeString(
        program,
        """
        #!/bin/sh
        if [ "$1" = "--version" ]; then echo "pg_ctl (PostgreSQL) 17.2"; exit 0; fi
        echo "waiting for server to shut down...."
        sleep 600 &
        echo $! > "%s/grandchild"
        sleep 600
        """
            .formatted(dir));
    Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
    PgTool tool = PgTool.find("pg_ctl", dir, 17, new ArrayList<>()).orElseThrow();
    List<String> output = new ArrayList<>();

    int code = tool.run(List.of("stop"), Map.of(), output, 2);

    assertThat(code).isEqualTo(-1);
    assertThat(output)
        .startsWith("waiting for server to shut down....")
        .endsWith("pg_ctl did not finish in 2 s");
    long grandchild = Long.parseLong(Files.readString(dir.resolve("grandchild")).strip());
    assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive))
        .isNotEqualTo(Optional.of(true));
  }
}
