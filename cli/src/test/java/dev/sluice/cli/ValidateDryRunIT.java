package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice validate --dry-run}: the source, the targets and how every column arrives. */
class ValidateDryRunIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("validate-source");

  @TempDir Path dir;

  @Test
  void aDryRunReportsHowEachColumnArrivesInEachTarget() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE shop", "CREATE DATABASE copy");
    pg.executeIn(
        "shop",
        "CREATE TABLE orders(id int PRIMARY KEY, total numeric(40,10), at timestamptz, tags text[], price float8)");
    MongoServer mongo = new MongoServer(new MemoryBackend());
    InetSocketAddress address = mongo.bind();
    try {
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          source: { url: "%s", slot: dry }
          targets:
            pg: { url: "%s", user: postgres }
            lite: { url: "jdbc:sqlite:%s" }
            mongo: { url: "mongodb://%s:%d/shop" }
          rules:
            - { name: to-pg, target: pg }
            - { name: to-lite, target: lite }
            - { name: to-mongo, target: mongo }
          """
              .formatted(
                  pg.jdbcUrl("shop"),
                  pg.jdbcUrl("copy"),
                  dir.resolve("x.db"),
                  address.getHostString(),
                  address.getPort()));

      CliRun run = CliRun.of("validate", "--dry-run", "-c", config.toString());

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out())
          .contains("#   public.orders (replica identity default)")
          .contains("#   mongo (mongodb): reachable")
          .containsPattern(
              "public.orders.total +numeric\\(40,10\\) +-> public.orders: numeric\\(40,10\\) +exact")
          .containsPattern(
              "public.orders.total +numeric\\(40,10\\) +-> orders: string +converted +as exact decimal text")
          .containsPattern("public.orders.at +timestamp with time zone +-> orders: TEXT +converted")
          .containsPattern(
              "public.orders.price +double precision +-> orders: REAL +limited +NaN cannot be stored")
          .contains("# everything can run");
      assertThat(Files.exists(dir.resolve("x.db"))).as("a dry run changes nothing").isFalse();
    } finally {
      mongo.shutdownNow();
    }
  }

  @Test
  void anUnreachableTargetMakesTheDryRunFail() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE lonely");
    pg.executeIn("lonely", "CREATE TABLE t(id int PRIMARY KEY)");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source: { url: "%s", slot: lonely }
        targets: { gone: { url: "jdbc:postgresql://127.0.0.1:1/x", user: u, password: hunter2 } }
        rules: [ { name: r, target: gone } ]
        """
            .formatted(pg.jdbcUrl("lonely")));

    CliRun run = CliRun.of("validate", "--dry-run", "-c", config.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("target gone: cannot connect to jdbc:postgresql://127.0.0.1:1/x");
    assertThat(run.out() + run.err()).doesNotContain("hunter2");
  }

  @Test
  void aTableWithoutPrimaryKeyThatARuleCoversMakesTheDryRunFail() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE keyless");
    pg.executeIn(
        "keyless",
        "CREATE TABLE orders(id int PRIMARY KEY)",
        "CREATE TABLE audit(at timestamptz, what text)",
        "ALTER TABLE audit REPLICA IDENTITY FULL");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source: { url: "%s", slot: keyless, tables: [public.orders, public.audit] }
        targets: { local: { url: "jdbc:sqlite:./keyless.db" } }
        rules: [ { name: r, target: local } ]
        """
            .formatted(pg.jdbcUrl("keyless")));

    CliRun run = CliRun.of("validate", "--dry-run", "-c", config.toString());

    assertThat(run.exitCode()).as(run.out()).isEqualTo(2);
    assertThat(run.err())
        .contains("rule r: public.audit has no primary key")
        .contains("leave it out of the rule's tables:");
  }

  @Test
  void aPostgresTargetWithoutTheExtensionOfASourceTypeMakesTheDryRunFailWithTheFix()
      throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE typed", "CREATE DATABASE plain");
    pg.executeIn(
        "typed",
        "CREATE EXTENSION citext",
        "CREATE TYPE mood AS ENUM ('sad', 'ok')",
        "CREATE TABLE users(id int PRIMARY KEY, email citext, m mood,"
            + " doubled int GENERATED ALWAYS AS (id * 2) STORED)");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source: { url: "%s", slot: typed }
        targets:
          pg: { url: "%s", user: postgres }
          lite: { url: "jdbc:sqlite:%s" }
        rules: [ { name: to-pg, target: pg }, { name: to-lite, target: lite } ]
        """
            .formatted(pg.jdbcUrl("typed"), pg.jdbcUrl("plain"), dir.resolve("x.db")));

    CliRun run = CliRun.of("validate", "--dry-run", "-c", config.toString());

    assertThat(run.exitCode()).as(run.out()).isEqualTo(2);
    assertThat(run.out())
        .containsPattern(
            "public.users.email +\"public\".\"citext\" +-> public.users: \"public\".\"citext\" +exact")
        .containsPattern(
            "public.users.m +\"public\".\"mood\" +-> public.users: \"public\".\"mood\" +exact")
        .containsPattern(
            "public.users.doubled +integer +-> public.users: integer +exact +generated there as on the source: \\(id \\* 2\\)")
        .containsPattern(
            "public.users.doubled +integer +-> users: \\(left out\\) +limited +a generated column");
    assertThat(run.err())
        .contains(
            "rule to-pg: target pg (public.users): type \"public\".\"citext\" (column email) comes from"
                + " the extension citext, which the target lacks: CREATE EXTENSION \"citext\" SCHEMA \"public\";")
        .doesNotContain("mood");
  }
}
