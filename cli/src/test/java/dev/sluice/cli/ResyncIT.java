package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.journal.JournalPosition;
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
 * {@code POST /api/rules/{name}/resync} on a real {@code sluice run} process while a write workload
 * runs: the rule's PostgreSQL target, damaged behind Sluice's back (rows changed, rows deleted,
 * rows the source never had), ends equal to the source ({@code sluice verify}); a second rule on
 * the same table keeps applying during the resync and does not apply its rows; 401 without the
 * token, 404 for an unknown rule, 400 for an append rule, 409 while one runs. {@code sluice resync}
 * then resyncs the second rule, and the first passes over its rows.
 */
class ResyncIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("resync");
  private static final String TOKEN = "t0k3n-for-the-resync";
  private static final int EXTRA_ID = 900_000_000;

  @TempDir Path dir;

  @Test
  void aResyncRepairsADamagedTargetWhileWrittenAndTheOtherRulesGoOn() throws Exception {
    PostgresCluster pg = PG.cluster();
    pg.execute("CREATE DATABASE rs_src", "CREATE DATABASE rs_a", "CREATE DATABASE rs_b");
    pg.execute("CREATE DATABASE rs_log");
    pg.executeIn(
        "rs_src",
        Workload.TABLE,
        "INSERT INTO t(v, note) SELECT g, 'early ' || g FROM generate_series(1, 60000) g");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path config = dir.resolve("resync.yaml");
    Files.writeString(
        config,
        """
        source: { url: "%s", slot: resync_it, tables: [public.t], heartbeat: 1s }
        journal: { dir: resync-journal }
        targets:
          copy_a: { url: "%s", user: postgres }
          copy_b: { url: "%s", user: postgres }
          log: { url: "%s", user: postgres }
        rules:
          - { name: to-a, target: copy_a }
          - { name: to-b, target: copy_b, batch: { maxDelay: 10ms } }
          - { name: to-log, target: log, mode: append }
        monitor: { port: %d, token: %s, poll: 200ms }
        """
            .formatted(
                pg.jdbcUrl("rs_src"),
                pg.jdbcUrl("rs_a"),
                pg.jdbcUrl("rs_b"),
                pg.jdbcUrl("rs_log"),
                port,
                TOKEN));
    SidecarClient client = new SidecarClient(port, TOKEN);
    try (SluiceProcess sidecar =
        SluiceProcess.start(
            List.of("-Xmx384m"), dir.resolve("resync.log"), "run", "-c", config.toString())) {
      SidecarClient.await(
          "the sidecar running", sidecar, () -> sidecar.log().contains("sluice is running"));
      try (Workload workload = Workload.start(pg, "rs_src", 23)) {
        SidecarClient.awaitRows(pg, "rs_a", "t", 60000, sidecar, true);
        SidecarClient.awaitRows(pg, "rs_b", "t", 60000, sidecar, true);

        assertThat(client.send("POST", "/api/rules/to-a/resync", null, null).statusCode())
            .as("the token is required")
            .isEqualTo(401);
        HttpResponse<String> unknown = client.send("POST", "/api/rules/nope/resync", null);
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        HttpResponse<String> append = client.send("POST", "/api/rules/to-log/resync", null);
        assertThat(append.statusCode()).as(append.body()).isEqualTo(400);
        assertThat(append.body()).contains("append mode");
        CliRun unknownByCli = CliRun.of("resync", "-c", config.toString(), "--rule", "nope");
        assertThat(unknownByCli.exitCode()).as(unknownByCli.out()).isEqualTo(2);
        assertThat(unknownByCli.err()).contains("no rule 'nope'");

        // behind Sluice's back: rows changed, rows deleted, rows the source never had
        pg.executeIn(
            "rs_a",
            "UPDATE public.t SET note = 'damaged ''q'' \uD83D\uDE00', v = -1 WHERE id % 97 = 0",
            "DELETE FROM public.t WHERE id % 89 = 0",
            "INSERT INTO public.t(id, v, note) SELECT "
                + EXTRA_ID
                + " + g, g, NULL FROM generate_series(1, 500) g");
        long readByB = readTotal(client, "to-b");
        long positionOfB = position(client, "to-b");

        HttpResponse<String> accepted = client.send("POST", "/api/rules/to-a/resync", null);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode resync = new ObjectMapper().readTree(accepted.body());
        assertThat(resync.path("id").asText()).startsWith("to-a-");
        assertThat(resync.path("state").asText()).isEqualTo("requested");
        assertThat(resync.path("tables").toString()).isEqualTo("[\"public.t\"]");
        HttpResponse<String> again = client.send("POST", "/api/rules/to-a/resync", null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains(resync.path("id").asText());

        SidecarClient.await(
            "the resync completed",
            sidecar,
            () -> {
              String state = rule(client, "to-a").path("resync").path("state").asText();
              assertThat(state).as(rule(client, "to-a").toString()).isNotEqualTo("failed");
              return state.equals("completed");
            });
        JsonNode done = rule(client, "to-a").path("resync");
        assertThat(done.path("rowsRead").asLong()).isPositive();
        assertThat(done.path("rowsApplied").asLong()).isEqualTo(done.path("rowsRead").asLong());
        assertThat(position(client, "to-b"))
            .as("the other rule kept applying during the resync")
            .isGreaterThan(positionOfB);
        assertThat(readTotal(client, "to-b"))
            .as("the other rule passed over the resync's rows")
            .isEqualTo(readByB);

        // the other rule, by the command line: to-a passes over its rows
        long readByA = readTotal(client, "to-a");
        CliRun byCli = CliRun.of("resync", "-c", config.toString(), "--rule", "to-b");
        assertThat(byCli.exitCode()).as(byCli.out() + byCli.err()).isZero();
        assertThat(byCli.out()).contains("resync to-b-").contains("public.t");
        SidecarClient.await(
            "the resync of to-b completed",
            sidecar,
            () -> {
              String state = rule(client, "to-b").path("resync").path("state").asText();
              assertThat(state).as(rule(client, "to-b").toString()).isNotEqualTo("failed");
              return state.equals("completed");
            });
        assertThat(readTotal(client, "to-a")).isEqualTo(readByA);
        Thread.sleep(1000);
      }
      assertThat(
              pg.queryIn("rs_a", "SELECT count(*) FROM public.t WHERE id > " + EXTRA_ID)
                  .get(0)
                  .get(0))
          .isEqualTo(0L);
      for (String rule : List.of("to-a", "to-b")) {
        CliRun verify = CliRun.of("verify", "-c", config.toString(), "--rule", rule);
        assertThat(verify.exitCode()).as(rule + ": " + verify.out() + verify.err()).isZero();
      }
      String events = client.send("GET", "/api/events", null).body();
      assertThat(events)
          .contains("rule.resync.requested")
          .contains("rule.resync.started")
          .contains("rule.resync.completed");
      assertThat(sidecar.terminate(Duration.ofSeconds(60))).as(sidecar.log()).isZero();
    }
  }

  private static JsonNode rule(SidecarClient client, String name) {
    for (JsonNode rule : client.get("/api/rules").path("rules")) {
      if (rule.path("name").asText().equals(name)) {
        return rule;
      }
    }
    throw new AssertionError("no rule " + name + " in /api/rules");
  }

  private static long readTotal(SidecarClient client, String name) {
    return rule(client, name).path("totalsByOp").path("read").asLong();
  }

  private static long position(SidecarClient client, String name) {
    return JournalPosition.parse(rule(client, name).path("appliedPosition").asText());
  }
}
