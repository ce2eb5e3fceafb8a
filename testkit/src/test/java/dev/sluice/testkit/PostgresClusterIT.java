package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresClusterIT {
  @RegisterExtension static final PostgresExtension PRIMARY = new PostgresExtension("primary");

  @Test
  void theClusterIsPostgres17WithLogicalWal() {
    PostgresCluster pg = PRIMARY.cluster();

    assertThat(pg.queryValue("SHOW server_version_num").toString()).startsWith("17");
    assertThat(pg.queryValue("SHOW wal_level")).isEqualTo("logical");
  }

  @Test
  void everySupportedMajorHasItsOwnServerBinaries() {
    for (int major : PostgresBinaries.MAJORS) {
      // home() runs the bundle's postgres -V and refuses one that is another major
      assertThat(PostgresBinaries.bin(major, "postgres")).isExecutable();
      assertThat(PostgresBinaries.home(major).getFileName().toString()).startsWith("pg" + major);
    }
    assertThatThrownBy(() -> PostgresBinaries.home(12))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no PostgreSQL 12 bundle: the test kit has [13, 14, 15, 16, 17, 18]");
  }

  @Test
  void committedRowsSurviveACrash() {
    PostgresCluster pg = PRIMARY.cluster();
    pg.execute(
        "CREATE TABLE survive(id int primary key)",
        "INSERT INTO survive SELECT generate_series(1, 1000)");

    pg.crash();
    pg.startServer();

    assertThat(pg.queryLong("SELECT count(*) FROM survive")).isEqualTo(1000);
  }

  @Test
  void membersOfPasswordUsersMustGiveTheirPassword() {
    PostgresCluster pg = PRIMARY.cluster();
    pg.execute("CREATE ROLE app LOGIN PASSWORD 'right' IN ROLE password_users");

    assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), "app", "wrong"))
        .hasMessageContaining("password authentication failed");
    assertThat(pg.queryLong("SELECT 1")).isEqualTo(1);
  }

  @Test
  void aClonedStandbyReplaysWhatThePrimaryWrites() throws Exception {
    PostgresCluster primary = PRIMARY.cluster();
    try (PostgresCluster standby = primary.cloneStandby("standby")) {
      primary.execute("CREATE TABLE replayed(id int)", "INSERT INTO replayed VALUES (42)");

      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (Instant.now().isBefore(deadline)
          && !Boolean.TRUE.equals(
              standby.queryValue("SELECT to_regclass('replayed') IS NOT NULL"))) {
        Thread.sleep(50);
      }
      assertThat(standby.queryValue("SELECT pg_is_in_recovery()")).isEqualTo(true);
      assertThat(standby.queryLong("SELECT id FROM replayed")).isEqualTo(42);
    }
  }
}
