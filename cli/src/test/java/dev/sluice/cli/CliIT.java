package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The commands as users run them: their output, their errors, their exit codes. */
class CliIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("cli-source");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  @TempDir Path dir;

  /** A journal with known changes, made once by a real capture. */
  static Path journal;

  static Instant betweenTransactions;

  @BeforeAll
  static void captureKnownChanges() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE known");
    pg.executeIn(
        "known",
        "CREATE TABLE orders(id int PRIMARY KEY, note text)",
        "CREATE TABLE audit(id int PRIMARY KEY)");
    Path config = write(shared, "known", "slot_known", "");
    try (Sidecar sidecar =
        Sidecar.start(
            new ConfigLoader(Map.of()).load(config), new MetricRegistry(), e -> {}, e -> {})) {
      pg.executeIn(
          "known",
          "INSERT INTO orders VALUES (1, 'one'), (2, 'two')",
          "INSERT INTO audit VALUES (1)");
      awaitEvents(sidecar, 3);
      Thread.sleep(50);
      betweenTransactions = Instant.now();
      Thread.sleep(50);
      pg.executeIn(
          "known",
          "UPDATE orders SET note = 'uno' WHERE id = 1",
          "DELETE FROM orders WHERE id = 2");
      awaitEvents(sidecar, 5);
    }
    journal = shared.resolve("journal-known");
  }

  private static void awaitEvents(Sidecar sidecar, long count) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(60);
    while (sidecar.captureStatus().events() < count) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "capture did not journal " + count + " changes: " + sidecar.captureStatus());
      }
      Thread.sleep(20);
    }
  }

  static Path write(Path where, String database, String slot, String extra) throws Exception {
    Path file = where.resolve("sluice-" + database + ".yaml");
    Files.writeString(
        file,
        """
        source:
          url: %s
          slot: %s
          password: ${SLUICE_TEST_PASSWORD:-not-a-secret-but-masked}
          snapshot: never
        journal: { dir: journal-%s }
        monitor: { port: 0 }
        %s
        """
            .formatted(SOURCE.cluster().jdbcUrl(database), slot, database, extra));
    return file;
  }

  private static List<JsonNode> lines(String out) throws Exception {
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String line : out.strip().split("\n")) {
      if (!line.isBlank()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }

  @Test
  void validatePrintsTheEffectiveConfigurationWithSecretsMasked() throws Exception {
    CliRun run = CliRun.of("validate", "-c", write(dir, "known", "s1", "").toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("password: <masked>")
        .contains("heartbeat: 10s")
        .contains("configuration is valid");
    assertThat(run.out()).doesNotContain("not-a-secret-but-masked");
  }

  @Test
  void validateReportsEveryProblemWithItsLineAndExitsWith2() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        "source:\n  url: jdbc:postgresql://db/app\n  snapshot: sometimes\njournal:\n  retention: forever\n  syncc: batch\n");

    CliRun run = CliRun.of("validate", "-c", bad.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("invalid configuration (3 problems)")
        .contains(bad + ":3: source.snapshot: 'sometimes' is not one of initial | never | always")
        .contains(bad + ":5: journal.retention:")
        .contains(bad + ":6: journal.syncc: unknown key 'syncc'; did you mean 'sync'?");
  }

  @Test
  void validateDryRunNamesWhatMustChangeOnTheSource() throws Exception {
    SOURCE.cluster().execute("CREATE DATABASE nokey");
    SOURCE.cluster().executeIn("nokey", "CREATE TABLE events(v int)");

    CliRun run =
        CliRun.of(
            "validate",
            "--dry-run",
            "-c",
            write(dir, "nokey", "s2", "").toString().replace("s2", "s2"));
    CliRun explicit =
        CliRun.of(
            "validate",
            "--dry-run",
            "-c",
            Files.writeString(
                    dir.resolve("explicit.yaml"),
                    Files.readString(write(dir, "nokey", "s3", ""))
                        .replace("snapshot: never", "snapshot: never\n  tables: [public.events]"))
                .toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no table with a primary key");
    assertThat(run.out()).contains("public.events has no primary key and is not captured");
    assertThat(explicit.exitCode()).isEqualTo(2);
    assertThat(explicit.err()).contains("ALTER TABLE \"public\".\"events\" REPLICA IDENTITY FULL;");
  }

  @Test
  void runWithAnUnreachableSourceExitsWith1() throws Exception {
    Path config = dir.resolve("down.yaml");
    Files.writeString(config, "source: { url: 'jdbc:postgresql://127.0.0.1:1/app' }\n");

    CliRun run = CliRun.of("run", "-c", config.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("error: cannot reach the source at 127.0.0.1:1: ")
        .contains("is PostgreSQL running there?");
  }

  @Test
  void runWithAWrongDatabaseExitsWith2() throws Exception {
    CliRun run = CliRun.of("run", "-c", write(dir, "nosuchdb", "s4", "").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("the source database 'nosuchdb' does not exist");
  }

  @Test
  void runWithAnInvalidConfigurationExitsWith2() throws Exception {
    Path config = dir.resolve("invalid.yaml");
    Files.writeString(config, "source: { url: 'jdbc:mysql://x/y' }\n");

    assertThat(CliRun.of("run", "-c", config.toString()).exitCode()).isEqualTo(2);
    assertThat(CliRun.of("run", "-c", dir.resolve("missing.yaml").toString()).err())
        .contains("file not found");
  }

  @Test
  void tailPrintsEveryChangeAsAJsonLine() throws Exception {
    CliRun run = CliRun.of("tail", "--journal", journal.toString());

    assertThat(run.exitCode()).isZero();
    List<JsonNode> lines = lines(run.out());
    assertThat(lines)
        .extracting(l -> l.get("op").asText())
        .containsExactly("insert", "insert", "insert", "update", "delete");
    JsonNode update = lines.get(3);
    assertThat(update.get("table").asText()).isEqualTo("public.orders");
    assertThat(update.get("key").get("id").asInt()).isEqualTo(1);
    assertThat(update.get("after").get("note").asText()).isEqualTo("uno");
    assertThat(update.get("position").asText()).matches("\\d+:\\d+");
    assertThat(update.get("lsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
    assertThat(update.get("txId").asLong()).isPositive();
    assertThat(update.get("commitTime").asText()).endsWith("Z");
    assertThat(update.has("before")).isTrue();
  }

  @Test
  void tailFiltersByTableAndOperation() throws Exception {
    assertThat(
            lines(
                CliRun.of("tail", "--journal", journal.toString(), "--table", "public.audit")
                    .out()))
        .hasSize(1);
    assertThat(
            lines(
                CliRun.of(
                        "tail",
                        "--journal",
                        journal.toString(),
                        "--table",
                        "public.ord*",
                        "--op",
                        "update,delete")
                    .out()))
        .extracting(l -> l.get("op").asText())
        .containsExactly("update", "delete");
  }

  @Test
  void tailStartsAtAPositionAnLsnOrATime() throws Exception {
    List<JsonNode> all = lines(CliRun.of("tail", "--journal", journal.toString()).out());
    String third = all.get(2).get("position").asText();
    String commitOfFirst = all.get(1).get("commitLsn").asText();

    assertThat(lines(CliRun.of("tail", "--journal", journal.toString(), "--from", third).out()))
        .hasSize(3);
    assertThat(
            lines(
                CliRun.of(
                        "tail",
                        "--journal",
                        journal.toString(),
                        "--from",
                        betweenTransactions.toString())
                    .out()))
        .extracting(l -> l.get("op").asText())
        .containsExactly("update", "delete");
    assertThat(
            lines(
                CliRun.of("tail", "--journal", journal.toString(), "--from", "lsn:" + commitOfFirst)
                    .out()))
        .hasSize(5);
    assertThat(lines(CliRun.of("tail", "--journal", journal.toString(), "--last", "2").out()))
        .hasSize(2);
  }

  @Test
  void tailRefusesAStartItCannotRead() {
    CliRun run = CliRun.of("tail", "--journal", journal.toString(), "--from", "yesterday-ish");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("is not a journal position (20779:42), an LSN (lsn:16/B374D848), a time");
    assertThat(CliRun.of("tail", "--journal", dir.resolve("none").toString()).err())
        .contains("no journal in");
    assertThat(CliRun.of("tail", "--journal", journal.toString(), "--op", "upsert").exitCode())
        .isEqualTo(2);
  }

  @Test
  void tailTextFormatIsForPeople() {
    CliRun run = CliRun.of("tail", "--journal", journal.toString(), "--format", "text");

    assertThat(run.out().lines().toList())
        .hasSize(5)
        .anySatisfy(l -> assertThat(l).contains("UPDATE public.orders [id=1] {note='uno'}"))
        .anySatisfy(l -> assertThat(l).contains("DELETE public.orders [id=2]"));
  }

  @Test
  void tailFollowsNewChangesUntilStopped() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE follow");
    pg.executeIn("follow", "CREATE TABLE t(id int PRIMARY KEY)");
    Path config = write(dir, "follow", "s_follow", "");
    try (Sidecar sidecar =
        Sidecar.start(
            new ConfigLoader(Map.of()).load(config), new MetricRegistry(), e -> {}, e -> {})) {
      pg.executeIn("follow", "INSERT INTO t VALUES (6)");
      awaitEvents(sidecar, 1);
      try (SluiceProcess tail =
          SluiceProcess.start(
              List.of(),
              dir.resolve("tail.log"),
              "tail",
              "--follow",
              "--from",
              "start",
              "-c",
              config.toString())) {
        awaitLog(tail, "\"id\":6");
        pg.executeIn("follow", "INSERT INTO t VALUES (7)");
        awaitLog(tail, "\"id\":7");

        assertThat(tail.log()).contains("\"op\":\"insert\"").contains("\"key\":{\"id\":7}");
        assertThat(tail.terminate(Duration.ofSeconds(20))).isZero();
        assertThat(sidecar.captureStatus().events()).isEqualTo(2);
      }
    }
  }

  private static void awaitLog(SluiceProcess process, String text) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!process.log().contains(text) && Instant.now().isBefore(deadline)) {
      assertThat(process.isAlive()).as(process.log()).isTrue();
      Thread.sleep(100);
    }
    assertThat(process.log()).as("tail printed " + text).contains(text);
  }
}
