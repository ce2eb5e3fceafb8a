package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.monitor.ActivityEvent;
import dev.sluice.monitor.CaptureView;
import dev.sluice.monitor.JournalView;
import dev.sluice.monitor.PipelineView;
import dev.sluice.monitor.Snapshot;
import dev.sluice.monitor.StateFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice monitor --state FILE}: the dashboard from a state file alone. */
class MonitorCommandIT {
  private static final Pattern ADDRESS = Pattern.compile("sluice monitor: (http://[0-9.:]+/)");
  private static final String TOKEN = "monitor-command-token";

  @TempDir Path dir;

  private static Snapshot snapshot(String captureState, String error) {
    return Snapshot.of(
        Instant.now(),
        Duration.ofSeconds(2),
        new PipelineView(
            new CaptureView(
                captureState,
                "15.14",
                "sluice",
                "sluice",
                3,
                "0/16B3748",
                "0/16B3800",
                24_576,
                12.5,
                42,
                0,
                Instant.now(),
                Instant.now(),
                error,
                List.of(),
                null),
            new JournalView("/srv/journal", "20779:0", "20779:41", 8192, 1, "7d")),
        List.of(),
        List.of());
  }

  @Test
  void aMissingStateFileIsAClearUsageError() {
    CliRun run = CliRun.of("monitor", "--state", dir.resolve("none.json").toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("there is no state file").contains("sluice run");
  }

  @Test
  void aNonLoopbackHostWithoutATokenIsRefused() {
    Path state = dir.resolve("state.json");
    StateFile.write(state, snapshot("streaming", null), List.of());
    CliRun run = CliRun.of("monitor", "--state", state.toString(), "--host", "0.0.0.0", "--token=");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("exposes the dashboard beyond this machine");
  }

  @Test
  void itServesTheStateFileAndFollowsItsChanges() throws Exception {
    Path state = dir.resolve("state.json");
    ActivityEvent started =
        new ActivityEvent(Instant.now(), "capture.started", "capture", "streaming");
    StateFile.write(state, snapshot("streaming", null), List.of(started));
    try (SluiceProcess monitor =
        SluiceProcess.start(
            List.of("-Xmx128m"),
            dir.resolve("monitor.log"),
            "monitor",
            "--state",
            state.toString(),
            "--port",
            "0",
            "--token",
            TOKEN)) {
      URI base = awaitAddress(monitor);
      HttpClient client = HttpClient.newHttpClient();
      assertThat(get(client, base, "/api/health").statusCode()).isEqualTo(401);
      HttpResponse<String> health = get(client, base, "/api/health?token=" + TOKEN);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(get(client, base, "/?token=" + TOKEN).body()).contains("read-only");
      assertThat(get(client, base, "/api/events?token=" + TOKEN).body()).contains("streaming");

      ActivityEvent failed =
          new ActivityEvent(Instant.now(), "capture.error", "capture", "the slot was dropped");
      StateFile.write(state, snapshot("failed", "the slot was dropped"), List.of(started, failed));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (get(client, base, "/api/health?token=" + TOKEN).statusCode() != 503) {
        assertThat(System.nanoTime()).as("the reload shows the failure").isLessThan(deadline);
        Thread.sleep(100);
      }
      assertThat(get(client, base, "/api/events?token=" + TOKEN).body())
          .contains("the slot was dropped");
      assertThat(get(client, base, "/metrics?token=" + TOKEN).body())
          .contains("sluice_health_ok 0");
      assertThat(monitor.terminate(Duration.ofSeconds(20))).isZero();
    }
  }

  private static URI awaitAddress(SluiceProcess process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher matcher = ADDRESS.matcher(process.log());
      if (matcher.find()) {
        return URI.create(matcher.group(1));
      }
      assertThat(process.isAlive()).as("sluice monitor runs: " + process.log()).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("sluice monitor never said where it listens:\n" + process.log());
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
