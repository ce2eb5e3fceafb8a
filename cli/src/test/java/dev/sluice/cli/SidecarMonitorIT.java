package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.monitor.StateFile;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A running sidecar's monitor: live figures from real capture, and the state file it leaves. */
class SidecarMonitorIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("monitor-source");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theDashboardApiAndStateFileShowWhatCaptureDoes() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE watched");
    pg.executeIn("watched", "CREATE TABLE orders(id int PRIMARY KEY, note text)");
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source: { url: '%1$s', slot: watched, snapshot: never }
        journal: { dir: journal }
        targets:
          copy: { url: "jdbc:sqlite:./copy.db" }
        rules:
          - { name: to-copy, target: copy }
        replicas:
          app:
            nodes:
              - { name: primary, role: master, url: '%1$s' }
              - { name: copy, role: slave, url: "jdbc:sqlite:./copy.db", fedBy: to-copy }
        monitor: { port: 0, poll: 200ms }
        state: ./state/sluice-state.json
        """
            .formatted(pg.jdbcUrl("watched")));
    SluiceConfig config = new ConfigLoader(Map.of()).load(file);
    HttpClient client = HttpClient.newHttpClient();
    try (Sidecar sidecar = Sidecar.start(config, new MetricRegistry(), event -> {}, event -> {})) {
      URI base = sidecar.monitorUri();
      pg.executeIn("watched", "INSERT INTO orders SELECT g, 'n' FROM generate_series(1, 3) g");
      JsonNode capture = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (capture == null || capture.get("eventsTotal").asLong() < 3) {
        assertThat(System.nanoTime()).as("capture journals the rows").isLessThan(deadline);
        Thread.sleep(100);
        capture = JSON.readTree(get(client, base, "/api/pipeline").body()).get("capture");
      }
      assertThat(capture.get("state").asText()).isEqualTo("streaming");
      assertThat(capture.get("slot").asText()).isEqualTo("watched");
      JsonNode journal = JSON.readTree(get(client, base, "/api/pipeline").body()).get("journal");
      assertThat(journal.get("lastPosition").asText()).matches("\\d+:\\d+");
      assertThat(get(client, base, "/api/health").statusCode()).isEqualTo(200);
      assertThat(get(client, base, "/api/events").body()).contains("capture.started");
      assertThat(get(client, base, "/metrics").body()).contains("sluice_capture_events_total 3");

      JsonNode rule = null;
      while (rule == null || rule.at("/totalsByOp/insert").asLong() < 3) {
        assertThat(System.nanoTime()).as("the rule applies the rows").isLessThan(deadline);
        Thread.sleep(100);
        rule = JSON.readTree(get(client, base, "/api/rules").body()).at("/rules/0");
      }
      assertThat(rule.get("name").asText()).isEqualTo("to-copy");
      assertThat(rule.get("dialect").asText()).isEqualTo("sqlite");
      assertThat(rule.get("state").asText()).isEqualTo("running");
      assertThat(rule.get("appliedLsn").asText()).matches("[0-9A-F]+/[0-9A-F]+");
      JsonNode group = JSON.readTree(get(client, base, "/api/replicas").body()).at("/groups/0");
      assertThat(group.get("group").asText()).isEqualTo("app");
      assertThat(group.at("/nodes/0/name").asText()).isEqualTo("primary");
      assertThat(group.at("/nodes/0/role").asText()).isEqualTo("master");
      assertThat(group.at("/nodes/1/fedBy").asText()).isEqualTo("to-copy");
      String metrics = get(client, base, "/metrics").body();
      assertThat(metrics).contains("sluice_rule_lag_seconds{rule=\"to-copy\"}");
      assertThat(metrics).contains("sluice_replica_lag_bytes{group=\"app\",node=\"copy\"}");
      String events = get(client, base, "/api/events").body();
      assertThat(events).contains("rule.added").contains("replica.added").contains("app/copy");

      Path state = config.state();
      while (!Files.exists(state)
          || StateFile.read(state).snapshot().pipeline().capture().eventsTotal() < 3) {
        assertThat(System.nanoTime()).as("the state file is written").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
    StateFile.Contents last = StateFile.read(config.state());
    assertThat(last.snapshot().pipeline().capture().state()).isEqualTo("stopped");
    assertThat(last.events()).extracting(e -> e.type()).contains("capture.started");
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
