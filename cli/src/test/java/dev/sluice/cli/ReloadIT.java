package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code sluice run} process changed while a write workload runs, by each way a running
 * sidecar takes a new file ({@code sluice reload}, SIGHUP, {@code POST /api/reload}): rules added,
 * changed, removed and added back, replica nodes added and removed, routing switched, {@code
 * source.tables} widened; bad reloads change nothing. At the end {@code sluice verify} finds every
 * rule's target equal to the source.
 */
class ReloadIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("reload-source");
  private static final String TOKEN = "t0k3n-for-reload";

  @TempDir Path dir;

  private Path config;
  private int port;

  @Test
  void aRunningSidecarTakesEveryReloadWhileWrittenAndEndsEqualWithBadReloadsChangingNothing()
      throws Exception {
    PostgresCluster pg = PG.cluster();
    pg.execute("CREATE DATABASE src", "CREATE DATABASE copy_a", "CREATE DATABASE copy_b");
    pg.executeIn(
        "src",
        Workload.TABLE,
        "CREATE TABLE \"Odd \"\"u\"\" t\"(id int PRIMARY KEY, note text)",
        "INSERT INTO \"Odd \"\"u\"\" t\" SELECT g, 'early 😀 ' || g FROM generate_series(1, 500) g");
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    config = dir.resolve("sluice.yaml");
    write(version(List.of("public.t"), rule("to-a", "copy_a", 1000), "", "least-lag", ""));
    Path log = dir.resolve("run.log");
    try (SluiceProcess sidecar =
            SluiceProcess.start(List.of("-Xmx384m"), log, "run", "-c", config.toString());
        Workload workload = awaitRunning(sidecar, pg)) {
      // 1. sluice reload: a rule added (with a table widened into source.tables), one changed,
      //    a CDC-fed node added, routing switched
      write(
          version(
              List.of("public.t", "'public.\"Odd \"\"u\"\" t\"'"),
              rule("to-a", "copy_a", 50),
              rule("to-b", "copy_b", 1000),
              "round-robin",
              "      - { name: copy-b, role: slave, fedBy: to-b, lagTolerance: 1GB }\n"));
      CliRun reload = CliRun.of("reload", "-c", config.toString());
      assertThat(reload.exitCode()).as(reload.out() + reload.err() + sidecar.log()).isZero();
      assertThat(reload.out())
          .contains("rule to-a changed (batch)")
          .contains("rule to-b added")
          .contains("source.tables changed")
          .contains("replica app/copy-b added")
          .contains("replicas.app.routing: round-robin");
      SidecarClient.awaitRows(pg, "copy_b", "\"Odd \"\"u\"\" t\"", 500, sidecar, false);
      Thread.sleep(1500);

      // 2. a file with an error, and one changing keys that need a restart: nothing changes
      Files.writeString(config, Files.readString(config).replace("target: copy_b", "target: nope"));
      CliRun invalid = CliRun.of("reload", "-c", config.toString());
      assertThat(invalid.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(invalid.err()).contains("unknown target 'nope'");
      String valid = Files.readString(config).replace("target: nope", "target: copy_b");
      Files.writeString(
          config,
          valid
              .replace("journal: { dir: journal }", "journal: { dir: elsewhere }")
              .replace("slot: reload_it", "slot: other_slot"));
      CliRun restart = CliRun.of("reload", "-c", config.toString());
      assertThat(restart.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(restart.err())
          .contains("source.slot needs a restart (running: reload_it, in the file: other_slot)")
          .contains("journal.dir needs a restart")
          .contains("the running configuration stays as it was");
      Files.writeString(
          config, valid.replace("tables: [public.t, ", "tables: [public.missing, public.t, "));
      CliRun missing = CliRun.of("reload", "-c", config.toString());
      assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(missing.err())
          .contains("the table public.missing (source.tables) does not exist on the source")
          .contains("the running configuration stays as it was");
      assertThat(client().get("/api/rules").path("rules"))
          .extracting(r -> r.path("name").asText())
          .containsExactly("to-a", "to-b");

      // 3. SIGHUP: rule to-a and the node it feeds removed
      write(
          version(
                  List.of("public.t", "'public.\"Odd \"\"u\"\" t\"'"),
                  rule("to-b", "copy_b", 1000),
                  "",
                  "round-robin",
                  "      - { name: copy-b, role: slave, fedBy: to-b, lagTolerance: 1GB }\n")
              .replace(
                  "      - { name: copy-a, role: slave, fedBy: to-a, lagTolerance: 1GB }\n", ""));
      Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(sidecar.pid())).start();
      assertThat(hup.waitFor()).isZero();
      SidecarClient.await(
          "to-a removed", sidecar, () -> client().get("/api/rules").path("rules").size() == 1);
      Thread.sleep(1500);

      // 4. POST /api/reload: to-a added back, resuming from the checkpoint it left in copy_a
      write(
          version(
              List.of("public.t", "'public.\"Odd \"\"u\"\" t\"'"),
              rule("to-a", "copy_a", 50),
              rule("to-b", "copy_b", 1000),
              "round-robin",
              "      - { name: copy-b, role: slave, fedBy: to-b, lagTolerance: 1GB }\n"));
      HttpResponse<String> posted = client().send("POST", "/api/reload", null);
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
      JsonNode changed = new ObjectMapper().readTree(posted.body()).path("changed");
      assertThat(changed).extracting(JsonNode::asText).contains("rule to-a added");
      assertThat(client().send("POST", "/api/reload", null, null).statusCode())
          .as("the token is required")
          .isEqualTo(401);
      Thread.sleep(2000);
      workload.close();
      assertThat(workload.transactions()).isGreaterThan(100);

      for (String rule : List.of("to-a", "to-b")) {
        CliRun verify = CliRun.of("verify", "-c", config.toString(), "--rule", rule);
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("rule " + rule + ": source and target are equal");
      }
      List<String> types = new ArrayList<>();
      client()
          .get("/api/events?limit=1000")
          .path("events")
          .forEach(e -> types.add(e.path("type").asText()));
      assertThat(types)
          .contains(
              "rule.added",
              "rule.removed",
              "replica.added",
              "replica.removed",
              "routing.changed",
              "config.reloaded",
              "error");
      assertThat(sidecar.log()).doesNotContain(TOKEN).contains("reloading " + config + " (SIGHUP)");
      assertThat(sidecar.terminate(Duration.ofSeconds(60))).as(sidecar.log()).isZero();
    }
  }

  private Workload awaitRunning(SluiceProcess sidecar, PostgresCluster pg) throws Exception {
    SidecarClient.await(
        "the sidecar running", sidecar, () -> sidecar.log().contains("sluice is running"));
    return Workload.start(pg, "src", 16);
  }

  private String rule(String name, String target, int maxEvents) {
    return "  - { name: %s, target: %s, tables: [public.t%s], batch: { maxEvents: %d } }\n"
        .formatted(
            name, target, name.equals("to-b") ? ", 'public.\"Odd \"\"u\"\" t\"'" : "", maxEvents);
  }

  private String version(
      List<String> tables, String ruleA, String ruleB, String routing, String moreNodes) {
    return """
        source: { url: "%s", slot: reload_it, tables: [%s], heartbeat: 1s }
        journal: { dir: journal }
        targets:
          copy_a: { url: "%s", user: postgres, connectTimeout: 5s }
          copy_b: { url: "%s", user: postgres }
        rules:
        %s%s
        replicas:
          app:
            routing: %s
            nodes:
              - { name: primary, role: master, url: "%s" }
              - { name: copy-a, role: slave, fedBy: to-a, lagTolerance: 1GB }
        %s
        monitor: { port: %d, token: %s, poll: 200ms }
        """
        .formatted(
            PG.cluster().jdbcUrl("src"),
            String.join(", ", tables),
            PG.cluster().jdbcUrl("copy_a"),
            PG.cluster().jdbcUrl("copy_b"),
            ruleA,
            ruleB,
            routing.isEmpty() ? "least-lag" : routing,
            PG.cluster().jdbcUrl("src"),
            moreNodes,
            port,
            TOKEN)
        .replace("\n\n", "\n");
  }

  private SidecarClient client() {
    return new SidecarClient(port, TOKEN);
  }

  private void write(String yaml) throws Exception {
    Files.writeString(config, yaml);
  }
}
