package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's version as {@code validate --dry-run}, {@code init}, {@code run} and {@code status}
 * see it: printed, and PostgreSQL 12 and older refused with one clear message before anything is
 * created. No PostgreSQL 12 can run here, so an old server is a real PostgreSQL 13 behind a proxy
 * that reports another {@code server_version} at connection start (what every Sluice module reads
 * the version from); a real, non-embedded server is Debian's PostgreSQL 15 on 127.0.0.1:5432.
 */
class ServerVersionIT {
  @RegisterExtension static final PostgresExtension OLDEST = new PostgresExtension("oldest", 13);

  private static final String DEBIAN_15 = "jdbc:postgresql://127.0.0.1:5432/";

  @TempDir Path dir;

  @Test
  void aSourceThatReportsPostgres12IsRefusedByValidateRunAndInitWithNothingCreated()
      throws Exception {
    OLDEST.cluster().execute("CREATE TABLE IF NOT EXISTS orders(id int PRIMARY KEY)");
    try (ServerVersionProxy twelve = new ServerVersionProxy(OLDEST.cluster().port(), "12.22")) {
      String url = "jdbc:postgresql://127.0.0.1:" + twelve.port() + "/postgres";
      Path file =
          Files.writeString(
              dir.resolve("sluice.yaml"),
              "source: { url: \"%s\", slot: too_old }\njournal: { dir: journal }\n".formatted(url));

      CliRun validate = CliRun.of("validate", "--dry-run", "-c", file.toString());
      CliRun run = CliRun.of("run", "-c", file.toString());
      Path starter = dir.resolve("starter.yaml");
      CliRun init = CliRun.of("init", "--source", url, "-o", starter.toString());

      String refusal =
          "the source runs PostgreSQL 12.22, which Sluice does not support: it needs PostgreSQL 13"
              + " or newer (13 to 18 are tested)";
      assertThat(validate.exitCode()).as(validate.err()).isEqualTo(ExitCode.USAGE);
      assertThat(validate.out())
          .contains("# source: PostgreSQL 12.22\n")
          .doesNotContain("tables to capture");
      assertThat(validate.err())
          .contains(refusal)
          .contains("fix: upgrade it to PostgreSQL 13 or newer")
          .doesNotContain("wal_level"); // nothing else is asked of a server that old
      assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.USAGE);
      assertThat(run.err())
          .startsWith("error: the source is not ready for capture:")
          .contains(refusal);
      assertThat(init.exitCode()).as(init.err()).isEqualTo(ExitCode.USAGE);
      assertThat(init.out()).startsWith("init: the source runs PostgreSQL 12.22\n");
      assertThat(init.err()).contains(refusal + "; nothing was written");
      assertThat(Files.exists(starter)).isFalse();
    }
    assertThat(OLDEST.cluster().queryLong("SELECT count(*) FROM pg_replication_slots")).isZero();
    assertThat(OLDEST.cluster().queryLong("SELECT count(*) FROM pg_publication")).isZero();
  }

  @Test
  void olderStillIsRefusedInItsOwnVersionNumbering() throws Exception {
    try (ServerVersionProxy old = new ServerVersionProxy(OLDEST.cluster().port(), "9.6.24")) {
      String url = "jdbc:postgresql://127.0.0.1:" + old.port() + "/postgres";
      CliRun init = CliRun.of("init", "--source", url, "-o", dir.resolve("s.yaml").toString());

      assertThat(init.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(init.err())
          .contains("the source runs PostgreSQL 9.6.24, which Sluice does not support");
    }
  }

  @Test
  void theRealPostgres13IsAcceptedAndNamed() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("sluice.yaml"),
            "source: { url: \"%s\", slot: oldest_ok }\njournal: { dir: journal }\n"
                .formatted(OLDEST.cluster().jdbcUrl()));
    OLDEST.cluster().execute("CREATE TABLE IF NOT EXISTS orders(id int PRIMARY KEY)");

    CliRun validate = CliRun.of("validate", "--dry-run", "-c", file.toString());
    CliRun status = CliRun.of("status", "-c", file.toString());

    assertThat(validate.exitCode()).as(validate.err()).isZero();
    assertThat(validate.out()).containsPattern("# source: PostgreSQL 13\\.[0-9]+\n");
    assertThat(status.out())
        .containsPattern("source +PostgreSQL 13\\.[0-9]+ at 127\\.0\\.0\\.1:[0-9]+/postgres\n");
  }

  /** Debian's server runs with wal_level = replica: the version is named, then that is found. */
  @Test
  void onDebiansPostgres15TheVersionIsNamedAndTheUsualChecksFollow() throws Exception {
    String database = "sluice_versions_" + ProcessHandle.current().pid();
    debian15("CREATE DATABASE " + database);
    try {
      try (Connection c = DriverManager.getConnection(DEBIAN_15 + database, "postgres", "");
          Statement st = c.createStatement()) {
        st.execute("CREATE TABLE orders(id int PRIMARY KEY, note text)");
      }
      String url = DEBIAN_15 + database;
      Path file =
          Files.writeString(
              dir.resolve("sluice.yaml"),
              "source: { url: \"%s\", user: postgres, slot: %s }\njournal: { dir: journal }\n"
                  .formatted(url, database));
      Path starter = dir.resolve("starter.yaml");

      CliRun validate = CliRun.of("validate", "--dry-run", "-c", file.toString());
      CliRun init = CliRun.of("init", "--source", url + "?user=postgres", "-o", starter.toString());

      String walLevel = debian15Value("SHOW wal_level");
      assertThat(validate.out()).containsPattern("# source: PostgreSQL 15\\.[0-9]+ \\(Debian ");
      assertThat(init.exitCode()).as(init.err()).isZero();
      assertThat(init.out()).containsPattern("^init: the source runs PostgreSQL 15\\.[0-9]+ ");
      assertThat(Files.readString(starter)).containsPattern("\\(PostgreSQL 15\\.[0-9]+\\)");
      if (walLevel.equals("logical")) {
        assertThat(validate.exitCode()).as(validate.err()).isZero();
      } else {
        assertThat(validate.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(validate.err())
            .contains("wal_level is '" + walLevel + "' on the source; capture needs 'logical'")
            .doesNotContain("does not support");
      }
    } finally {
      debian15("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private static void debian15(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(DEBIAN_15 + "postgres", "postgres", "");
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String debian15Value(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(DEBIAN_15 + "postgres", "postgres", "");
        Statement st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
