package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A source whose wal_level is not logical: refused before anything is created on it. */
class SourceNotLogicalIT {
  @RegisterExtension
  static final PostgresExtension SOURCE =
      new PostgresExtension("not-logical", Map.of("wal_level", "replica"));

  @TempDir Path dir;

  @Test
  void validateAndRunNameTheSettingAndTheStatementsThatFixIt() throws Exception {
    SOURCE.cluster().executeIn("postgres", "CREATE TABLE orders(id int PRIMARY KEY)");
    Path file =
        Files.writeString(
            dir.resolve("sluice.yaml"),
            "source: { url: \"%s\", slot: not_logical }\njournal: { dir: journal }\n"
                .formatted(SOURCE.cluster().jdbcUrl("postgres")));

    CliRun validate = CliRun.of("validate", "--dry-run", "-c", file.toString());
    CliRun run = CliRun.of("run", "-c", file.toString());

    assertThat(validate.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(validate.err())
        .contains("wal_level is 'replica' on the source; capture needs 'logical'")
        .contains("ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .startsWith("error: the source is not ready for capture:")
        .contains("wal_level is 'replica' on the source; capture needs 'logical'");
    assertThat(
            SOURCE
                .cluster()
                .queryLong(
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'not_logical'"))
        .isZero();
  }
}
