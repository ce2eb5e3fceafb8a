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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code sluice run} process changed through the HTTP API while a write workload runs: rules
 * and replica nodes added and removed, routing switched, bad bodies answered 400 at the path of the
 * bad field, unknown names 404, no token 401; {@code GET /api/config} says the running
 * configuration differs from the file until a reload of the file replaces the changes. {@code
 * sluice verify} then finds the remaining rule's target equal to the source.
 */
class ConfigApiIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("config-api");
  private static final String TOKEN = "t0k3n-for-the-api";

  @TempDir Path dir;

  private Path config;
  private int port;

  @Test
  void theHttpApiChangesRulesNodesAndRoutingWhileWrittenAndAFileReloadReplacesThem()
      throws Exception {
    PostgresCluster pg = PG.cluster();
    pg.execute("CREATE DATABASE api_src", "CREATE DATABASE api_c", "CREATE DATABASE api_d");
    pg.executeIn("api_src", Workload.TABLE);
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    config = dir.resolve("api.yaml");
    write(
        """
        source: { url: "%s", slot: reload_api, tables: [public.t], heartbeat: 1s }
        journal: { dir: api-journal }
        targets:
          copy_c: { url: "%s", user: postgres, password: "pw-never-shown" }
          copy_d: { url: "%s", user: postgres }
        rules:
          - { name: to-c, target: copy_c }
        replicas:
          app:
            nodes:
              - { name: primary, role: master, url: "%s" }
        monitor: { port: %d, token: %s, poll: 200ms }
        """
            .formatted(
                pg.jdbcUrl("api_src"),
                pg.jdbcUrl("api_c"),
                pg.jdbcUrl("api_d"),
                pg.jdbcUrl("api_src"),
                port,
                TOKEN));
    SidecarClient client = new SidecarClient(port, TOKEN);
    Path log = dir.resolve("api.log");
    try (SluiceProcess sidecar =
            SluiceProcess.start(List.of("-Xmx384m"), log, "run", "-c", config.toString());
        Workload workload = awaitRunning(sidecar, pg)) {
      HttpResponse<String> bad =
          client.send(
              "POST",
              "/api/rules",
              "{\"name\": \"to-d\", \"target\": \"copy_e\", \"batch\": {\"maxEvents\": 0}}");
      assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
      JsonNode problems = new ObjectMapper().readTree(bad.body()).path("problems");
      assertThat(problems)
          .extracting(p -> p.path("path").asText())
          .containsExactlyInAnyOrder("target", "batch.maxEvents");
      assertThat(client.send("POST", "/api/rules", "[1]").statusCode()).isEqualTo(400);

      HttpResponse<String> added =
          client.send(
              "POST",
              "/api/rules",
              "{\"name\": \"to-d\", \"target\": \"copy_d\", \"batch\": {\"maxDelay\": \"10ms\"}}");
      assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
      assertThat(added.body()).contains("rule to-d added");
      HttpResponse<String> node =
          client.send(
              "POST",
              "/api/replicas/app/nodes",
              "{\"name\": \"copy-d\", \"role\": \"slave\", \"fedBy\": \"to-d\", \"lagTolerance\": \"1GB\"}");
      assertThat(node.statusCode()).as(node.body()).isEqualTo(200);
      assertThat(client.send("POST", "/api/replicas/nope/nodes", "{}").statusCode()).isEqualTo(404);
      assertThat(client.send("DELETE", "/api/rules/nope", null).statusCode()).isEqualTo(404);
      assertThat(client.send("DELETE", "/api/replicas/app/nodes/nope", null).statusCode())
          .isEqualTo(404);
      HttpResponse<String> sideways =
          client.send("PUT", "/api/replicas/app/routing", "{\"routing\": \"sideways\"}");
      assertThat(sideways.statusCode()).isEqualTo(400);
      assertThat(sideways.body()).contains("\"path\":\"routing\"");
      assertThat(
              client
                  .send("PUT", "/api/replicas/app/routing", "{\"routing\": \"random\"}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(client.get("/api/routing").path("groups").get(0).path("strategy").asText())
          .isEqualTo("random");
      assertThat(client.send("DELETE", "/api/rules/to-c", null, null).statusCode())
          .as("the token is required")
          .isEqualTo(401);

      JsonNode effective = client.get("/api/config");
      assertThat(effective.path("differsFromFile").asBoolean()).isTrue();
      assertThat(effective.path("effective").asText())
          .contains("name: to-d")
          .contains("routing: random")
          .doesNotContain("pw-never-shown");
      SidecarClient.awaitRows(pg, "api_d", "t", countOf(pg, "api_src"), sidecar, true);

      HttpResponse<String> removed = client.send("DELETE", "/api/rules/to-d", null);
      assertThat(removed.statusCode()).as("a node is fed by it: " + removed.body()).isEqualTo(400);
      assertThat(removed.body()).contains("replicas.app.nodes[1].fedBy");
      assertThat(client.send("DELETE", "/api/replicas/app/nodes/copy-d", null).statusCode())
          .isEqualTo(200);
      assertThat(client.send("DELETE", "/api/rules/to-d", null).statusCode()).isEqualTo(200);
      Thread.sleep(1000);
      workload.close();
      assertThat(workload.transactions()).isGreaterThan(50);

      CliRun verify = CliRun.of("verify", "-c", config.toString(), "--rule", "to-c");
      assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
      HttpResponse<String> reload = client.send("POST", "/api/reload", null);
      assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
      assertThat(reload.body()).contains("replicas.app.routing: least-lag");
      assertThat(client.get("/api/config").path("differsFromFile").asBoolean()).isFalse();
      assertThat(sidecar.terminate(Duration.ofSeconds(60))).as(sidecar.log()).isZero();
    }
  }

  private static long countOf(PostgresCluster pg, String database) {
    return (Long) pg.queryIn(database, "SELECT count(*) FROM public.t").get(0).get(0);
  }

  private static Workload awaitRunning(SluiceProcess sidecar, PostgresCluster pg) throws Exception {
    SidecarClient.await(
        "the sidecar running", sidecar, () -> sidecar.log().contains("sluice is running"));
    return Workload.start(pg, "api_src", 17);
  }

  private void write(String yaml) throws Exception {
    Files.writeString(config, yaml);
  }
}
