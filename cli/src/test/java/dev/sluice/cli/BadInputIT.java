package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
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

/**
 * Bad input as users make it, through the real command line: each case gives one message that names
 * what is wrong and where, and the documented exit code (2: something to fix; 1: a failure while
 * running). docs/troubleshooting.md lists them.
 */
class BadInputIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("badinput-source");

  private static final String WRONG_PASSWORD = "Wrong-Pw-7f3";

  @TempDir static Path shared;
  @TempDir Path dir;

  /** A configuration whose journal holds two captured rows, with the rule {@code to-lite}. */
  static Path captured;

  @BeforeAll
  static void captureTwoRows() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE app");
    pg.executeIn("app", "CREATE TABLE orders(id int PRIMARY KEY, note text)");
    captured = config(shared, "captured", "slot_captured", "");
    try (Sidecar sidecar =
        Sidecar.start(
            new ConfigLoader(Map.of()).load(captured), new MetricRegistry(), e -> {}, e -> {})) {
      pg.executeIn("app", "INSERT INTO orders VALUES (1, 'one'), (2, 'two')");
      Instant deadline = Instant.now().plusSeconds(60);
      while (sidecar.captureStatus().events() < 2) {
        assertThat(Instant.now()).as("capture journals two rows").isBefore(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** A configuration of the database {@code app} with a SQLite target and the rule to-lite. */
  private static Path config(Path where, String name, String slot, String sourceExtra)
      throws Exception {
    Path file = where.resolve(name + ".yaml");
    Files.writeString(
        file,
        """
        source:
          url: %s
          slot: %s
          snapshot: never
          %s
        journal: { dir: journal-%s }
        targets:
          lite: { url: "jdbc:sqlite:./lite-%s.db" }
        rules:
          - { name: to-lite, target: lite }
        monitor: { port: 0 }
        """
            .formatted(SOURCE.cluster().jdbcUrl("app"), slot, sourceExtra, name, name));
    return file;
  }

  @Test
  void aWrongPasswordIsASetupErrorNamingTheUserButNeverThePassword() throws Exception {
    SOURCE
        .cluster()
        .execute("CREATE ROLE pw_user LOGIN PASSWORD 'Right-Pw-9x1' IN ROLE password_users");
    Path file =
        config(dir, "pw", "slot_pw", "user: pw_user\n  password: \"" + WRONG_PASSWORD + "\"");

    CliRun run = CliRun.of("run", "-c", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .startsWith(
            "error: cannot log in to the source at 127.0.0.1:"
                + SOURCE.cluster().port()
                + " as 'pw_user': ")
        .contains("password authentication failed")
        .endsWith("(check source.user and source.password)\n");
    assertThat(run.out() + run.err()).doesNotContain(WRONG_PASSWORD);
  }

  @Test
  void aUserWithoutTheReplicationRightIsToldTheStatementThatGrantsIt() throws Exception {
    SOURCE.cluster().execute("CREATE ROLE plain LOGIN");

    CliRun run =
        CliRun.of("run", "-c", config(dir, "plain", "slot_plain", "user: plain").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .startsWith("error: the source is not ready for capture:")
        .contains("the user 'plain' may not open replication connections")
        .contains("ALTER ROLE \"plain\" WITH REPLICATION;");
  }

  @Test
  void aSlotReadByAnotherSidecarIsNamedWithThatProcess() throws Exception {
    Path first = config(dir, "first", "slot_busy", "");
    try (SluiceProcess running =
        SluiceProcess.start(List.of(), dir.resolve("first.log"), "run", "-c", first.toString())) {
      awaitLog(running, "sluice is running");
      Instant deadline = Instant.now().plusSeconds(90);
      while (SOURCE
              .cluster()
              .queryLong(
                  "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_busy' AND active")
          == 0) {
        assertThat(Instant.now()).as("the first sidecar streams from its slot").isBefore(deadline);
        Thread.sleep(100);
      }

      CliRun second = CliRun.of("run", "-c", config(dir, "second", "slot_busy", "").toString());

      assertThat(second.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(second.err())
          .contains("the replication slot 'slot_busy' is in use by another process (pid ")
          .contains("set source.slot to another name");
      assertThat(running.terminate(Duration.ofSeconds(60))).isZero();
    }
  }

  @Test
  void aJournalDirectoryThatCannotBeCreatedIsASetupError() throws Exception {
    Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a directory");
    Path file = config(dir, "blocked", "slot_blocked", "");
    Files.writeString(
        file,
        Files.readString(file)
            .replace("journal: { dir: journal-blocked }", "journal: { dir: blocker/journal }"));

    CliRun run = CliRun.of("run", "-c", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .isEqualTo(
            "error: cannot use the journal directory "
                + blocker.resolve("journal")
                + " (journal.dir): "
                + blocker
                + " exists and is not a directory; choose another journal.dir\n");
  }

  @Test
  void replayFromSomethingThatIsNotAPlaceInTheJournalNamesTheFormsItTakes() {
    CliRun run =
        CliRun.of("replay", "-c", captured.toString(), "--rule", "to-lite", "--from", "last week");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .isEqualTo(
            "error: --from last week is not a journal position (20779:42), an LSN"
                + " (lsn:16/B374D848), a time (2026-11-20T10:00:00Z), 'start' or 'end'\n");
  }

  @Test
  void replayFromBeforeTheJournalsFirstEntrySaysRetentionRemovedIt() {
    CliRun run =
        CliRun.of("replay", "-c", captured.toString(), "--rule", "to-lite", "--from", "1:0");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .startsWith("error: --from 1:0 is before the journal's first position ")
        .endsWith("(older changes were removed by journal.retention)\n");
  }

  @Test
  void replayAndVerifyOfAnUnknownRuleSuggestTheClosestOne() {
    CliRun replay =
        CliRun.of("replay", "-c", captured.toString(), "--rule", "to-lit", "--from", "start");
    CliRun verify = CliRun.of("verify", "-c", captured.toString(), "--rule", "to-lit");

    assertThat(replay.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(replay.err()).isEqualTo("error: unknown rule 'to-lit'; did you mean 'to-lite'?\n");
    assertThat(verify.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(verify.err()).isEqualTo("error: unknown rule 'to-lit'; did you mean 'to-lite'?\n");
  }

  @Test
  void verifyOfATableTheRuleDoesNotHaveListsTheTablesItHas() {
    CliRun run =
        CliRun.of(
            "verify", "-c", captured.toString(), "--rule", "to-lite", "--table", "public.order");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .isEqualTo(
            "error: rule to-lite has no table matching public.order in the journal"
                + " (its tables: public.orders)\n");
  }

  @Test
  void verifyWithAWaitThatIsNotADurationSaysHowToWriteOne() {
    CliRun run =
        CliRun.of("verify", "-c", captured.toString(), "--rule", "to-lite", "--wait", "a while");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("error: --wait: ").contains("250ms, 10s, 5m, 2h or 7d");
  }

  @Test
  void anUnknownOptionOrAMissingRequiredOneIsBadUsageWithTheCommandsHelp() {
    CliRun unknown = CliRun.of("run", "-c", captured.toString(), "--bogus");
    CliRun missing = CliRun.of("replay", "-c", captured.toString(), "--from", "start");
    CliRun command = CliRun.of("replicate", "-c", captured.toString());

    assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(unknown.err()).startsWith("Unknown option: '--bogus'").contains("Usage: sluice run");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err())
        .startsWith("Missing required option: '--rule=RULE'")
        .contains("Usage: sluice replay");
    assertThat(command.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(command.err()).startsWith("Unmatched arguments from index 0: 'replicate'");
  }

  @Test
  void aMonitorPortOutOfRangeIsBadUsage() {
    CliRun run =
        CliRun.of("monitor", "--state", dir.resolve("s.json").toString(), "--port", "70000");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).isEqualTo("error: --port must be from 0 to 65535, not 70000\n");
  }

  @Test
  void aYamlTagThatWouldConstructAJavaObjectIsRefusedByTheCommandLine() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("tagged.yaml"),
            "source:\n  url: !!javax.script.ScriptEngineManager [ !!java.net.URL [\"http://x\"] ]\n");

    CliRun run = CliRun.of("validate", "-c", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .contains(
            file
                + ":2: the YAML tag '!!javax.script.ScriptEngineManager' is not allowed: Sluice"
                + " reads plain values, lists and mappings only and never constructs objects from"
                + " YAML; remove the tag");
  }

  private static void awaitLog(SluiceProcess process, String text) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (!process.log().contains(text)) {
      assertThat(process.isAlive()).as(process.log()).isTrue();
      assertThat(Instant.now())
          .as("the log shows " + text + ":\n" + process.log())
          .isBefore(deadline);
      Thread.sleep(100);
    }
  }
}
