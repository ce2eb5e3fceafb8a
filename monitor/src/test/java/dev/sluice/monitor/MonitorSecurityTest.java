package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.Secret;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A server with a token: every endpoint needs it, and no secret ever leaves in a response. */
class MonitorSecurityTest {
  private static final String TOKEN = "tok-8f3a9c2e-known-token";
  private static final String PASSWORD = "pw-hunter2-known-password";
  private static final List<String> ENDPOINTS =
      List.of(
          "/",
          "/api/health",
          "/api/pipeline",
          "/api/rules",
          "/api/replicas",
          "/api/routing",
          "/api/routing/app/read",
          "/api/events",
          "/api/snapshot",
          "/metrics",
          "/api/stream");

  private final ActivityFeed feed = new ActivityFeed();
  private MonitorServer server;
  private Http http;

  @BeforeEach
  void start() {
    // errors that quote connection strings with the password in them, as drivers do
    String leakyError =
        "cannot connect to jdbc:postgresql://sluice:"
            + PASSWORD
            + "@10.0.0.2:5432/app?password="
            + PASSWORD;
    Snapshot snapshot = SampleSnapshots.withFailedRule(leakyError);
    feed.publish(new ActivityEvent(Instant.now(), "rule.error", "pg-to-mongo", leakyError));
    MetricRegistry metrics = new MetricRegistry();
    metrics.meter("capture.events").mark(3);
    server =
        MonitorServer.builder(
                new MonitorConfig("127.0.0.1", 0, Secret.of(TOKEN), Duration.ofSeconds(2)),
                new SampleSnapshots(snapshot),
                feed,
                metrics)
            .action("/api/rules/{rule}/pause", request -> Map.of("paused", true))
            .start();
    http = new Http(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void livezNeedsNoTokenAndSaysNothingButThatTheProcessIsAlive() throws Exception {
    HttpResponse<String> live = http.get("/livez");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEmpty();
    // the failed rule of this snapshot makes readiness fail, never liveness
    assertThat(http.get("/api/health", "Authorization", "Bearer " + TOKEN).statusCode())
        .isEqualTo(503);
    assertThat(http.get("/livez?token=wrong").statusCode()).isEqualTo(200);
  }

  @Test
  void withATokenAnyHostNameIsServedToWhoeverHoldsIt() throws Exception {
    String request =
        "GET /api/health HTTP/1.1\r\nHost: sluice.monitoring.svc:14499\r\nConnection: close\r\n";
    assertThat(http.raw(request + "\r\n")).startsWith("HTTP/1.1 401");
    assertThat(http.raw(request + "Authorization: Bearer " + TOKEN + "\r\n\r\n"))
        .startsWith("HTTP/1.1 503");
  }

  @Test
  void everyEndpointIs401WithoutTheToken() throws Exception {
    for (String path : ENDPOINTS) {
      HttpResponse<String> response = http.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).isPresent();
      assertThat(response.body()).as(path).contains("a token is required");
    }
    assertThat(http.send("POST", "/api/rules/x/pause", "").statusCode()).isEqualTo(401);
  }

  @Test
  void unknownPathsAre401TooSoThatNothingIsRevealedWithoutTheToken() throws Exception {
    assertThat(http.get("/nope").statusCode()).isEqualTo(401);
  }

  @Test
  void aWrongTokenIs401ByHeaderAndByQuery() throws Exception {
    assertThat(http.get("/api/health", "Authorization", "Bearer " + TOKEN + "x").statusCode())
        .isEqualTo(401);
    assertThat(http.get("/api/health?token=" + TOKEN.substring(1)).statusCode()).isEqualTo(401);
    assertThat(http.get("/api/health", "Authorization", "Basic " + TOKEN).statusCode())
        .isEqualTo(401);
  }

  @Test
  void theTokenWorksAsABearerHeader() throws Exception {
    for (String path : ENDPOINTS) {
      if (path.equals("/api/stream")) {
        continue;
      }
      HttpResponse<String> response = http.get(path, "Authorization", "Bearer " + TOKEN);
      assertThat(response.statusCode()).as(path).isIn(200, 503);
    }
  }

  @Test
  void theTokenWorksAsAQueryParameter() throws Exception {
    for (String path : ENDPOINTS) {
      if (path.equals("/api/stream")) {
        continue;
      }
      HttpResponse<String> response = http.get(path + "?token=" + TOKEN);
      assertThat(response.statusCode()).as(path).isIn(200, 503);
    }
    assertThat(http.send("POST", "/api/rules/x/pause?token=" + TOKEN, "").statusCode())
        .isEqualTo(200);
  }

  @Test
  void theEventStreamAcceptsTheTokenInTheQuery() throws Exception {
    try (EventStreamClient client =
        EventStreamClient.connect(server.uri(), "?after=0&token=" + TOKEN)) {
      assertThat(client.status()).isEqualTo(200);
      assertThat(client.next(Duration.ofSeconds(2))).contains("cannot connect to");
    }
  }

  @Test
  void noResponseContainsTheTokenOrAPassword() throws Exception {
    StringBuilder everything = new StringBuilder();
    for (String path : ENDPOINTS) {
      if (path.equals("/api/stream")) {
        continue;
      }
      HttpResponse<String> response = http.get(path, "Authorization", "Bearer " + TOKEN);
      everything.append(response.headers().map()).append(response.body());
      HttpResponse<String> unauthorized = http.get(path + "?token=wrong-" + TOKEN);
      everything.append(unauthorized.headers().map()).append(unauthorized.body());
    }
    try (EventStreamClient client =
        EventStreamClient.connect(server.uri(), "?after=0&token=" + TOKEN)) {
      everything.append(client.next(Duration.ofSeconds(2)));
    }
    assertThat(everything).contains("cannot connect to", "<masked>");
    assertThat(everything.toString()).doesNotContain(TOKEN, PASSWORD);
  }
}
