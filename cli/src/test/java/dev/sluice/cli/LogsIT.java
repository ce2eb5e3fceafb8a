package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's logs as a container or a terminal sees them, from a child process with the shipped
 * logging configuration: JSON lines or text, each line about a rule naming it, and never a secret,
 * even at debug level with a target that keeps failing.
 */
class LogsIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("logs-source");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every secret the configuration holds. */
  private static final List<String> SECRETS =
      List.of("Src-Secret-1", "Url-Secret-2", "Tgt-Secret-3", "Tok-Secret-4", "Node-Secret-5");

  /** The shipped configuration, not the tests' logback-test.xml. */
  private static final List<String> SHIPPED_LOGGING =
      List.of("-Dlogback.configurationFile=logback.xml");

  @TempDir Path dir;

  @BeforeAll
  static void createSource() {
    SOURCE.cluster().execute("CREATE DATABASE logs");
    SOURCE
        .cluster()
        .executeIn(
            "logs",
            "CREATE TABLE orders(id int PRIMARY KEY, note text)",
            "INSERT INTO orders VALUES (1, 'one'), (2, 'two'), (3, 'three')");
  }

  private Path config(String slot) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source:
          url: %s
          password: "Src-Secret-1"
          slot: %s
        targets:
          local: { url: "jdbc:sqlite:./local.db" }
          down:  { url: "jdbc:postgresql://127.0.0.1:1/gone?password=Url-Secret-2", user: u, password: "Tgt-Secret-3" }
        rules:
          - { name: to-local, target: local }
          - { name: to-down, target: down }
        replicas:
          app:
            nodes:
              - { name: primary, role: master, url: "%s", password: "Node-Secret-5" }
        monitor: { token: "Tok-Secret-4" }
        """
            .formatted(SOURCE.cluster().jdbcUrl("logs"), slot, SOURCE.cluster().jdbcUrl("logs")));
    return file;
  }

  private static void awaitLog(SluiceProcess process, String... fragments) throws Exception {
    Instant deadline = Instant.now().plusSeconds(90);
    while (!List.of(fragments).stream().allMatch(process.log()::contains)) {
      if (Instant.now().isAfter(deadline) || !process.isAlive()) {
        throw new AssertionError(
            "the log never showed " + List.of(fragments) + ":\n" + process.log());
      }
      Thread.sleep(200);
    }
  }

  @Test
  void withSluiceLogFormatJsonEveryLineIsJsonAndRuleLinesNameTheirRuleAndNoSecretIsLogged()
      throws Exception {
    Path log = dir.resolve("run.log");
    try (SluiceProcess run =
        SluiceProcess.start(
            SHIPPED_LOGGING,
            Map.of("SLUICE_LOG_FORMAT", "json", "SLUICE_LOG_LEVEL", "DEBUG"),
            log,
            "run",
            "-c",
            config("logs_json").toString())) {
      awaitLog(run, "\"rule\":\"to-local\"", "\"rule\":\"to-down\"", "retrying");
      assertThat(run.terminate(Duration.ofSeconds(60))).as(run.log()).isZero();
    }

    String text = Files.readString(log);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        assertThat(line).as("every line is a JSON object").startsWith("{");
        lines.add(JSON.readTree(line));
      }
    }
    assertThat(lines)
        .allSatisfy(line -> assertThat(line.has("level") && line.has("formattedMessage")).isTrue());
    assertThat(lines)
        .filteredOn(line -> line.get("threadName").asText().equals("sluice-rule-to-down"))
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line.at("/mdc/rule").asText()).isEqualTo("to-down"));
    assertThat(text).doesNotContain(SECRETS);
  }

  @Test
  void theLogFormatOptionWinsOverTheEnvironmentAndTextLinesNameTheirRule() throws Exception {
    Path log = dir.resolve("run.log");
    try (SluiceProcess run =
        SluiceProcess.start(
            SHIPPED_LOGGING,
            Map.of("SLUICE_LOG_FORMAT", "json"),
            log,
            "run",
            "--log-format",
            "text",
            "-c",
            config("logs_text").toString())) {
      awaitLog(run, "[rule=to-local]", "[rule=to-down]");
      assertThat(run.terminate(Duration.ofSeconds(60))).as(run.log()).isZero();
    }

    String text = Files.readString(log);
    assertThat(text.lines()).noneMatch(line -> line.startsWith("{"));
    assertThat(text).contains("INFO  RunCommand - sluice is running").doesNotContain(SECRETS);
  }

  @Test
  void anUnknownLogFormatIsBadUsage() {
    CliRun run = CliRun.of("--log-format", "xml", "schema");

    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("--log-format").contains("xml");
  }
}
