package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** The JSON API of a real server on a free port, without a token. */
class MonitorApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActivityFeed feed = new ActivityFeed();
  private final SampleSnapshots source = new SampleSnapshots(SampleSnapshots.healthy());
  private MonitorServer server;
  private Http http;

  @BeforeEach
  void start() {
    server =
        MonitorServer.builder(
                new MonitorConfig("127.0.0.1", 0, null, Duration.ofSeconds(2)),
                source,
                feed,
                new MetricRegistry())
            .action(
                "/api/replicas/{group}/promote",
                request -> {
                  if (request.pathParameters().get("group").equals("busy")) {
                    throw new IllegalStateException("standby-1 is 5 s behind, over its tolerance");
                  }
                  return Map.of(
                      "promoted", request.query().getOrDefault("node", "?"),
                      "group", request.pathParameters().get("group"),
                      "body", request.body());
                })
            .start();
    http = new Http(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
    return JSON.readTree(response.body());
  }

  @Test
  void theServerReportsThePortItBoundWhenAskedForAnyFreePort() {
    assertThat(server.port()).isPositive();
    assertThat(server.uri().toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
  }

  @Test
  void healthIsOkWithTheTimeOfTheFigures() throws Exception {
    HttpResponse<String> response = http.get("/api/health");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("ok").asBoolean()).isTrue();
    assertThat(Instant.parse(body.get("ts").asText())).isEqualTo(source.snapshot().takenAt());
    assertThat(body.get("reasons")).isEmpty();
  }

  @Test
  void healthIs503WithTheReasonWhenARuleFails() throws Exception {
    source.set(SampleSnapshots.withFailedRule("target refused: duplicate key"));
    HttpResponse<String> response = http.get("/api/health");
    assertThat(response.statusCode()).isEqualTo(503);
    JsonNode body = json(response);
    assertThat(body.get("ok").asBoolean()).isFalse();
    assertThat(body.get("reasons").get(0).asText())
        .isEqualTo("rule pg-to-mongo failed: target refused: duplicate key");
  }

  @Test
  void healthIs503WhenCaptureFails() throws Exception {
    Snapshot healthy = SampleSnapshots.healthy();
    source.set(
        Snapshot.of(
            Instant.now(),
            healthy.poll(),
            new PipelineView(
                SampleSnapshots.capture("failed", "the replication slot was dropped"),
                healthy.pipeline().journal()),
            healthy.rules(),
            healthy.replicas()));
    HttpResponse<String> response = http.get("/api/health");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("reasons").get(0).asText())
        .isEqualTo("capture failed: the replication slot was dropped");
  }

  @Test
  void pipelineHasCaptureAndJournal() throws Exception {
    JsonNode body = json(http.get("/api/pipeline"));
    assertThat(body.get("poll").asText()).isEqualTo("PT2S");
    assertThat(body.get("ts").asText()).isNotEmpty();
    JsonNode capture = body.get("capture");
    assertThat(fieldNames(capture))
        .containsExactly(
            "state",
            "sourceVersion",
            "slot",
            "publication",
            "tables",
            "confirmedLsn",
            "lastLsn",
            "walRetainedBytes",
            "eventsPerSecond",
            "eventsTotal",
            "duplicatesDropped",
            "startedAt",
            "lastCommitTime",
            "lastError",
            "tablesPendingSnapshot",
            "warning");
    assertThat(capture.get("state").asText()).isEqualTo("streaming");
    assertThat(capture.get("tablesPendingSnapshot").isArray()).isTrue();
    assertThat(capture.get("warning").isNull()).isTrue();
    assertThat(capture.get("sourceVersion").asText()).isEqualTo("17.11");
    assertThat(capture.get("confirmedLsn").asText()).isEqualTo("0/1A2B3C4D");
    assertThat(capture.get("walRetainedBytes").asLong()).isEqualTo(4_718_592);
    assertThat(capture.get("lastError").isNull()).isTrue();
    JsonNode journal = body.get("journal");
    assertThat(fieldNames(journal))
        .containsExactly("dir", "firstPosition", "lastPosition", "sizeBytes", "days", "retention");
    assertThat(journal.get("lastPosition").asText()).isEqualTo("20779:88211");
    assertThat(journal.get("retention").asText()).isEqualTo("7d");
  }

  @Test
  void rulesHaveLagRateTotalsAndLastSync() throws Exception {
    JsonNode rules = json(http.get("/api/rules")).get("rules");
    assertThat(rules).hasSize(2);
    JsonNode rule = rules.get(0);
    assertThat(fieldNames(rule))
        .containsExactly(
            "name",
            "target",
            "dialect",
            "mode",
            "state",
            "appliedPosition",
            "appliedLsn",
            "lagChanges",
            "lagBytes",
            "lagSeconds",
            "ratePerSecond",
            "totalsByOp",
            "lastError",
            "lastSyncKind",
            "lastSyncStart",
            "lastSyncFinish",
            "deadLetters",
            "missingRows",
            "conflicts",
            "resync");
    assertThat(rule.get("name").asText()).isEqualTo("pg-to-mongo");
    assertThat(rule.get("lagSeconds").asDouble()).isEqualTo(0.4);
    assertThat(fieldNames(rule.get("totalsByOp"))).containsExactly("insert", "update", "delete");
    assertThat(rule.get("lastSyncKind").asText()).isEqualTo("snapshot");
  }

  @Test
  void replicasListEachGroupWithItsNodesAndWhereReadsGo() throws Exception {
    JsonNode group = json(http.get("/api/replicas")).get("groups").get(0);
    assertThat(fieldNames(group))
        .containsExactly("group", "routing", "nodes", "readNode", "readReason");
    assertThat(group.get("nodes")).hasSize(3);
    JsonNode node = group.get("nodes").get(1);
    assertThat(fieldNames(node))
        .containsExactly(
            "name",
            "role",
            "dialect",
            "state",
            "lagBytes",
            "lagMillis",
            "lastProbe",
            "fedBy",
            "poolActive",
            "poolIdle",
            "poolMax",
            "host",
            "port",
            "database",
            "lastError");
    assertThat(node.get("name").asText()).isEqualTo("standby-1");
    assertThat(node.get("lagBytes").asLong()).isEqualTo(16_384);
  }

  @Test
  void routingNamesTheStrategyAndTheFreshSlavesOfEachGroup() throws Exception {
    JsonNode group = json(http.get("/api/routing")).get("groups").get(0);
    assertThat(group.get("group").asText()).isEqualTo("app");
    assertThat(group.get("strategy").asText()).isEqualTo("least-lag");
    assertThat(group.get("fresh")).extracting(JsonNode::asText).containsExactly("standby-1");
    assertThat(group.get("read").asText()).isEqualTo("standby-1");
  }

  @Test
  void theReadEndpointSaysWhereToConnectWithoutCredentials() throws Exception {
    JsonNode body = json(http.get("/api/routing/app/read"));
    assertThat(fieldNames(body))
        .containsExactly("group", "node", "role", "host", "port", "database", "reason", "ts");
    assertThat(body.get("node").asText()).isEqualTo("standby-1");
    assertThat(body.get("host").asText()).isEqualTo("10.0.0.3");
    assertThat(body.get("port").asInt()).isEqualTo(5432);
    assertThat(body.get("database").asText()).isEqualTo("app");
  }

  @Test
  void theReadEndpointOfAnUnknownGroupIs404() throws Exception {
    HttpResponse<String> response = http.get("/api/routing/nope/read");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("error").asText()).isEqualTo("no replica group 'nope'");
  }

  @Test
  void eventsReturnsTheLastOnesOldestFirstWithTheirIds() throws Exception {
    for (int i = 0; i < 250; i++) {
      feed.publish(new ActivityEvent(Instant.now(), "rule.error", "pg-to-mongo", "error " + i));
    }
    JsonNode events = json(http.get("/api/events")).get("events");
    assertThat(events).hasSize(200);
    assertThat(events.get(199).get("message").asText()).isEqualTo("error 249");
    assertThat(fieldNames(events.get(0)))
        .containsExactly("id", "time", "type", "subject", "message");
    JsonNode three = json(http.get("/api/events?limit=3")).get("events");
    assertThat(three)
        .extracting(e -> e.get("message").asText())
        .containsExactly("error 247", "error 248", "error 249");
  }

  @Test
  void aLimitThatIsNotANumberOrOutOfRangeIs400() throws Exception {
    assertThat(http.get("/api/events?limit=lots").statusCode()).isEqualTo(400);
    assertThat(http.get("/api/events?limit=0").statusCode()).isEqualTo(400);
    assertThat(http.get("/api/events?limit=100000").statusCode()).isEqualTo(400);
    assertThat(json(http.get("/api/events?limit=-5")).get("error").asText())
        .startsWith("limit must be a whole number from 1 to 1000");
  }

  @Test
  void snapshotIsTheWholePictureInOneRead() throws Exception {
    JsonNode body = json(http.get("/api/snapshot"));
    assertThat(fieldNames(body))
        .containsExactly("takenAt", "poll", "pipeline", "rules", "replicas", "health");
  }

  @Test
  void thePageIsOneSelfContainedHtmlDocument() throws Exception {
    HttpResponse<String> response = http.get("/");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(response.body())
        .startsWith("<!DOCTYPE html>")
        .contains("EventSource", "/api/snapshot", ".pill-ok")
        .doesNotContain("/*STYLE*/", "/*SCRIPT*/", "{{ORIGIN}}", "@import")
        .doesNotContainPattern("(src|href|action)\\s*=\\s*[\"']?(https?:)?//")
        .doesNotContainPattern("url\\(\\s*[\"']?(https?:)?//");
    assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'", "connect-src 'self'");
  }

  @Test
  void withoutATokenAPageReachedThroughAnotherHostNameCannotReadTheApi() throws Exception {
    // a page at http://attacker.example:PORT/ whose name now resolves to 127.0.0.1 (DNS rebinding)
    String port = ":" + server.port();
    for (String host :
        List.of("attacker.example" + port, "127.0.0.1.nip.io" + port, "LOCALHOST.evil")) {
      String reply =
          http.raw("GET /api/snapshot HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertThat(reply).as(host).startsWith("HTTP/1.1 403");
      assertThat(reply).as(host).contains("names neither this server's address nor localhost");
      assertThat(reply).as(host).doesNotContain("pipeline");
    }
    for (String host :
        List.of("127.0.0.1" + port, "localhost" + port, "LocalHost", "[::1]" + port)) {
      String reply =
          http.raw("GET /api/snapshot HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertThat(reply).as(host).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void livezIs200WithNothingElse() throws Exception {
    HttpResponse<String> response = http.get("/livez");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(http.send("POST", "/livez", "").statusCode()).isEqualTo(405);
  }

  @Test
  void unknownPathsAre404() throws Exception {
    for (String path :
        List.of("/nope", "/api", "/api/", "/api/rules/x", "/metrics/x", "/index.html")) {
      HttpResponse<String> response = http.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(json(response).get("error").asText()).as(path).startsWith("no such path");
    }
  }

  @Test
  void pathTraversalFindsNothing() throws Exception {
    for (String path :
        List.of(
            "/api/../metrics",
            "/api/%2e%2e/metrics",
            "/..%2f..%2fetc%2fpasswd",
            "/api/routing/..%2Fapp/read",
            "//api/health",
            "/api/routing/%2e%2e/read")) {
      String reply =
          http.raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      // 404 from the routes, or 400 from the server for an ambiguous encoding such as %2e%2e
      assertThat(reply).as(path).matches("(?s)HTTP/1\\.1 40[04] .*");
    }
  }

  @Test
  void wrongMethodsAre405WithTheAllowedOne() throws Exception {
    HttpResponse<String> post = http.send("POST", "/api/rules", "{}");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(http.send("DELETE", "/", null).statusCode()).isEqualTo(405);
    HttpResponse<String> get = http.get("/api/replicas/app/promote");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
  }

  @Test
  void malformedRequestsAre400WithoutHarm() throws Exception {
    assertThat(
            http.raw(
                "GET /api/events?limit=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    assertThat(
            http.raw(
                "GET /api/routing/%E0%A4%A/read HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    assertThat(http.raw("GARBAGE\r\n\r\n")).doesNotContain("200 OK");
    assertThat(http.get("/api/stream?after=yesterday").statusCode()).isEqualTo(400);
    assertThat(http.get("/api/health").statusCode()).isEqualTo(200);
  }

  @Test
  void requestsAreBoundedInSize() throws Exception {
    String longPath = "/api/health?x=" + "a".repeat(5000);
    assertThat(http.get(longPath).statusCode()).isEqualTo(414);
    String big = "x".repeat(MonitorServer.MAX_BODY_BYTES + 1);
    assertThat(
            http.rawStatusLine(
                "POST /api/replicas/app/promote HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Length: "
                    + big.length()
                    + "\r\n\r\n"
                    + big.substring(0, 1000)))
        .startsWith("HTTP/1.1 413");
    String chunked = Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
    assertThat(
            http.rawStatusLine(
                "POST /api/replicas/app/promote HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + chunked))
        .startsWith("HTTP/1.1 413");
  }

  @Test
  void anActionGetsItsPathParametersQueryAndBody() throws Exception {
    HttpResponse<String> response =
        http.send("POST", "/api/replicas/app/promote?node=standby-1", "{\"force\":false}");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("promoted").asText()).isEqualTo("standby-1");
    assertThat(body.get("group").asText()).isEqualTo("app");
    assertThat(body.get("body").asText()).isEqualTo("{\"force\":false}");
  }

  @Test
  void actionsTakePutDeleteAndGetAnswer404ForUnknownNamesAnd400AtTheBadFieldsPath()
      throws Exception {
    MonitorServer other =
        MonitorServer.builder(
                new MonitorConfig("127.0.0.1", 0, null, Duration.ofSeconds(2)),
                source,
                feed,
                new MetricRegistry())
            .action(
                "DELETE /api/rules/{name}",
                request -> {
                  if (!request.pathParameters().get("name").equals("to-mongo")) {
                    throw new java.util.NoSuchElementException(
                        "no rule '" + request.pathParameters().get("name") + "'");
                  }
                  return Map.of("changed", java.util.List.of("rule to-mongo removed"));
                })
            .action(
                "POST /api/rules",
                request -> {
                  throw new Action.Invalid(
                      "invalid configuration, nothing was changed",
                      java.util.List.of(Map.of("path", "batch.maxEvents", "message", "too small")));
                })
            .action(
                "PUT /api/replicas/{group}/routing", request -> Map.of("routing", request.body()))
            .action("GET /api/config", request -> Map.of("differsFromFile", true))
            .action(
                "POST /api/rules/{name}/resync",
                request ->
                    new Action.Accepted(Map.of("id", request.pathParameters().get("name") + "-1")))
            .start();
    try {
      Http client = new Http(other.uri());
      assertThat(client.send("DELETE", "/api/rules/to-mongo", null).body())
          .contains("rule to-mongo removed");
      HttpResponse<String> unknown = client.send("DELETE", "/api/rules/%F0%9F%98%80", null);
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(json(unknown).get("error").asText()).isEqualTo("no rule '😀'");
      HttpResponse<String> invalid = client.send("POST", "/api/rules", "{}");
      assertThat(invalid.statusCode()).isEqualTo(400);
      assertThat(json(invalid).get("problems").get(0).get("path").asText())
          .isEqualTo("batch.maxEvents");
      assertThat(client.send("PUT", "/api/replicas/app/routing", "x").statusCode()).isEqualTo(200);
      HttpResponse<String> accepted = client.send("POST", "/api/rules/to-mongo/resync", null);
      assertThat(accepted.statusCode()).as("work that goes on after the answer").isEqualTo(202);
      assertThat(json(accepted).get("id").asText()).isEqualTo("to-mongo-1");
      assertThat(json(client.get("/api/config")).get("differsFromFile").asBoolean()).isTrue();
      assertThat(client.get("/api/rules").statusCode()).as("the built-in GET stays").isEqualTo(200);
      HttpResponse<String> wrong = client.send("PUT", "/api/rules", "{}");
      assertThat(wrong.statusCode()).isEqualTo(405);
      assertThat(wrong.headers().firstValue("Allow")).hasValue("GET, POST");
    } finally {
      other.close();
    }
  }

  @Test
  void anActionRefusedInTheCurrentStateIs409WithItsReason() throws Exception {
    HttpResponse<String> response = http.send("POST", "/api/replicas/busy/promote", "");
    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(json(response).get("error").asText())
        .isEqualTo("standby-1 is 5 s behind, over its tolerance");
  }

  @Test
  void bindingANonLoopbackAddressWithoutATokenIsRefused() {
    MonitorConfig open = new MonitorConfig("0.0.0.0", 0, null, Duration.ofSeconds(2));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MonitorServer.start(open, source, feed, new MetricRegistry()))
        .isInstanceOf(dev.sluice.config.SetupException.class)
        .hasMessageContaining("exposes the dashboard beyond this machine");
    MonitorConfig withToken =
        new MonitorConfig("0.0.0.0", 0, Secret.of("t0ken"), Duration.ofSeconds(2));
    try (MonitorServer exposed =
        MonitorServer.start(withToken, source, feed, new MetricRegistry())) {
      assertThat(exposed.port()).isPositive();
    }
  }

  @Test
  void aPortInUseIsASetupProblemNamingThePort() {
    MonitorConfig same = new MonitorConfig("127.0.0.1", server.port(), null, Duration.ofSeconds(2));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MonitorServer.start(same, source, feed, new MetricRegistry()))
        .isInstanceOf(dev.sluice.config.SetupException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + server.port());
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
