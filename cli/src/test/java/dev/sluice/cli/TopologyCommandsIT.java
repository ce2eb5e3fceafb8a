package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice promote} and {@code sluice rejoin} as users run them: messages and exit codes. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyCommandsIT {
  @RegisterExtension static final PostgresExtension PRIMARY = new PostgresExtension("cmd-primary");

  @TempDir static Path dir;
  static PostgresCluster standby;
  static Path config;
  static int closedPort;

  @BeforeAll
  static void primaryAndStandby() throws Exception {
    PRIMARY.cluster().execute("CREATE TABLE t(id bigserial PRIMARY KEY, v text)");
    standby = PRIMARY.cluster().cloneStandby("cmd-standby");
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source: { url: "%1$s", user: postgres }
        journal: { dir: journal }
        replicas:
          app:
            nodes:
              - { name: primary, role: master, url: "%1$s" }
              - { name: standby, role: slave, url: "%2$s", lagTolerance: 64KB }
          lost:
            nodes:
              - { name: primary, role: master, url: "%1$s" }
              - { name: gone, role: slave, url: "jdbc:postgresql://127.0.0.1:%3$d/postgres" }
        """
            .formatted(PRIMARY.cluster().jdbcUrl(), standby.jdbcUrl(), closedPort));
  }

  @AfterAll
  static void stopStandby() {
    if (standby != null) {
      standby.close();
    }
  }

  private static CliRun promote(String group, String node) {
    return CliRun.of("promote", "-c", config.toString(), "--group", group, "--node", node);
  }

  @Test
  @Order(1)
  void anUnknownGroupIsBadUsageWithASuggestion() {
    CliRun run = promote("ap", "standby");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("error: unknown group 'ap'; did you mean 'app'? (groups: app, lost)");
  }

  @Test
  @Order(1)
  void anUnknownNodeIsBadUsageWithASuggestion() {
    CliRun run = promote("app", "standy");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("error: group app has no node 'standy'; did you mean 'standby'?")
        .contains("(nodes: primary, standby)");
  }

  @Test
  @Order(1)
  void promotingTheMasterIsBadUsage() {
    CliRun run = promote("app", "primary");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("error: node 'primary' is already the master of group app;")
        .contains("promote one of its slaves: standby");
  }

  @Test
  @Order(1)
  void anUnreachableNodeFailsWithItsAddress() {
    CliRun run = promote("lost", "gone");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("error: cannot reach node gone (127.0.0.1:" + closedPort + ") of group lost")
        .doesNotContain("\tat ");
  }

  @Test
  @Order(2)
  void aLaggingStandbyIsNotPromotedAndTheMessageGivesItsLagAndItsTolerance() throws Exception {
    standby.execute("SELECT pg_wal_replay_pause()");
    try {
      PRIMARY
          .cluster()
          .execute("INSERT INTO t(v) SELECT repeat('x', 500) FROM generate_series(1, 2000)");

      CliRun run = promote("app", "standby");

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err())
          .containsPattern(
              "error: refusing to promote standby \\(127.0.0.1:\\d+\\): it is [0-9.]+ [KM]B \\(\\d+ bytes\\)")
          .contains("over its lagTolerance 64KB")
          .contains("--force");
      assertThat(PRIMARY.cluster().queryValue("SHOW default_transaction_read_only"))
          .isEqualTo("off");
    } finally {
      standby.execute("SELECT pg_wal_replay_resume()");
    }
  }

  @Test
  @Order(3)
  void aCaughtUpStandbyIsPromotedAndTheOldMasterRejoinsFromItsDataDirectory() throws Exception {
    awaitCaughtUp();
    CliRun promoted = promote("app", "standby");

    assertThat(promoted.exitCode()).as(promoted.err()).isZero();
    assertThat(promoted.out())
        .containsPattern("promoted standby to master of group app: accepting writes \\d+ ms")
        .contains("old master primary: read-only")
        .contains("replica.promoted standby")
        .contains("running roles written to " + dir.resolve("topology-roles.json"));

    PostgresCluster primary = PRIMARY.cluster();
    primary.stop();
    standby.execute("INSERT INTO t(v) VALUES ('while the old master was down')");
    CliRun rejoined =
        CliRun.of(
            "rejoin",
            "-c",
            config.toString(),
            "--group",
            "app",
            "--node",
            "primary",
            "--data-dir",
            primary.dataDir().toString(),
            "--no-start");

    assertThat(rejoined.exitCode()).as(rejoined.err()).isZero();
    assertThat(rejoined.out())
        .contains("primary rejoined group app as a standby of standby by")
        .contains("why: ")
        .contains("not started");
    primary.startServer();
    assertThat(primary.queryValue("SELECT pg_is_in_recovery()")).isEqualTo(true);
    assertThat(
            primary.queryLong("SELECT count(*) FROM t WHERE v = 'while the old master was down'"))
        .isEqualTo(1);
  }

  @Test
  @Order(4)
  void rejoinWithoutADataDirectorySaysWhyItNeedsOne() {
    CliRun run =
        CliRun.of("rejoin", "-c", config.toString(), "--group", "app", "--node", "primary");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("give it with --data-dir DIR");
  }

  private static void awaitCaughtUp() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    String target = String.valueOf(PRIMARY.cluster().queryValue("SELECT pg_current_wal_lsn()"));
    while (!Boolean.TRUE.equals(
        standby.queryValue("SELECT pg_last_wal_replay_lsn() >= '" + target + "'"))) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("the standby did not catch up");
      }
      Thread.sleep(20);
    }
  }
}
