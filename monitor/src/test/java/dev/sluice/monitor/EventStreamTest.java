package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.MonitorConfig;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/stream}: live activity over server-sent events. */
class EventStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActivityFeed feed = new ActivityFeed();
  private MonitorServer server;

  @BeforeEach
  void start() {
    server =
        MonitorServer.builder(
                new MonitorConfig("127.0.0.1", 0, null, Duration.ofSeconds(2)),
                new SampleSnapshots(SampleSnapshots.healthy()),
                feed,
                new MetricRegistry())
            .maxStreamClients(3)
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static void awaitSubscribers(ActivityFeed feed, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (feed.subscribers() != count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(feed.subscribers()).isEqualTo(count);
  }

  @Test
  void anEventPublishedReachesAConnectedClientWithinOneSecond() throws Exception {
    try (EventStreamClient client = EventStreamClient.connect(server.uri(), "")) {
      assertThat(client.status()).isEqualTo(200);
      awaitSubscribers(feed, 1);
      long published = System.nanoTime();
      feed.publish(
          new ActivityEvent(
              Instant.now(), "replica.promoted", "app/standby-1", "standby-1 is the master now"));
      String data = client.next(Duration.ofSeconds(1));
      assertThat(data).as("received within 1 s").isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - published)).isLessThan(Duration.ofSeconds(1));
      JsonNode event = JSON.readTree(data);
      assertThat(event.get("type").asText()).isEqualTo("replica.promoted");
      assertThat(event.get("subject").asText()).isEqualTo("app/standby-1");
      assertThat(event.get("message").asText()).isEqualTo("standby-1 is the master now");
      assertThat(event.get("id").asLong()).isEqualTo(1);
    }
  }

  @Test
  void aRuleErrorReachesEveryConnectedClient() throws Exception {
    try (EventStreamClient first = EventStreamClient.connect(server.uri(), "");
        EventStreamClient second = EventStreamClient.connect(server.uri(), "")) {
      awaitSubscribers(feed, 2);
      feed.publish(new ActivityEvent(Instant.now(), "rule.error", "pg-to-mongo", "target down"));
      assertThat(first.next(Duration.ofSeconds(1))).contains("\"rule.error\"");
      assertThat(second.next(Duration.ofSeconds(1))).contains("\"rule.error\"");
    }
  }

  @Test
  void aClientResumesAfterTheLastEventItSaw() throws Exception {
    for (int i = 1; i <= 5; i++) {
      feed.publish(new ActivityEvent(Instant.now(), "error", "x", "event " + i));
    }
    try (EventStreamClient byQuery = EventStreamClient.connect(server.uri(), "?after=3");
        EventStreamClient byHeader =
            EventStreamClient.connect(server.uri(), "", "Last-Event-ID", "4")) {
      assertThat(byQuery.next(Duration.ofSeconds(1))).contains("event 4");
      assertThat(byQuery.next(Duration.ofSeconds(1))).contains("event 5");
      assertThat(byHeader.next(Duration.ofSeconds(1))).contains("event 5");
      assertThat(byHeader.next(Duration.ofMillis(200))).isNull();
    }
  }

  private Socket stalledClient() throws Exception {
    Socket stalled = new Socket(server.uri().getHost(), server.port());
    stalled.setReceiveBufferSize(4096);
    OutputStream out = stalled.getOutputStream();
    out.write(
        "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    awaitSubscribers(feed, 1);
    return stalled; // never read from
  }

  @Test
  void aSlowClientNeverBlocksPublishingAndIsDropped() throws Exception {
    try (Socket stalled = stalledClient()) {
      ActivityEvent event = new ActivityEvent(Instant.now(), "error", "load", "m".repeat(2000));
      long started = System.nanoTime();
      for (int i = 0; i < 5000; i++) {
        feed.publish(event);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      awaitSubscribers(feed, 0);
    }
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedWhenAWriteStalls() throws Exception {
    try (Socket stalled = stalledClient()) {
      // few events, but large: the connection's buffers fill before the client's queue does
      ActivityEvent large =
          new ActivityEvent(Instant.now(), "error", "load", "m".repeat(256 * 1024));
      for (int i = 0; i < 120; i++) {
        feed.publish(large);
        Thread.sleep(2);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (server.streamClients() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(server.streamClients()).as("the stalled stream's slot is free").isZero();
      assertThat(feed.subscribers()).isZero();
    }
  }

  @Test
  void theNumberOfStreamClientsIsBounded() throws Exception {
    try (EventStreamClient a = EventStreamClient.connect(server.uri(), "");
        EventStreamClient b = EventStreamClient.connect(server.uri(), "");
        EventStreamClient c = EventStreamClient.connect(server.uri(), "");
        EventStreamClient d = EventStreamClient.connect(server.uri(), "")) {
      assertThat(java.util.List.of(a.status(), b.status(), c.status(), d.status()))
          .containsExactlyInAnyOrder(200, 200, 200, 503);
      // the API still answers while every stream slot is taken
      assertThat(new Http(server.uri()).get("/api/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void closingTheServerEndsTheStreams() throws Exception {
    try (EventStreamClient client = EventStreamClient.connect(server.uri(), "")) {
      awaitSubscribers(feed, 1);
      server.close();
      awaitSubscribers(feed, 0);
    }
  }
}
