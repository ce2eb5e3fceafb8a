package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.MonitorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that open a connection and stop in the middle of their request (the way a slow-loris
 * attack does) cost the server a connection each, never a worker: the API answers while they wait,
 * and they are closed after the read timeout.
 */
class SlowClientsTest {
  private static final int STALLED = 200;

  private final ActivityFeed feed = new ActivityFeed();
  private MonitorServer server;
  private final List<Socket> stalled = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        MonitorServer.builder(
                new MonitorConfig("127.0.0.1", 0, null, Duration.ofSeconds(2)),
                new SampleSnapshots(SampleSnapshots.healthy()),
                feed,
                new MetricRegistry())
            .readTimeout(Duration.ofSeconds(10))
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : stalled) {
      socket.close();
    }
    server.close();
  }

  @Test
  @Timeout(120)
  void twoHundredClientsStalledMidHeaderDoNotStopHealthAndAreClosedAfterTheReadTimeout()
      throws Exception {
    URI uri = server.uri();
    for (int i = 0; i < STALLED; i++) {
      Socket socket = new Socket(uri.getHost(), uri.getPort());
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Sl"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      stalled.add(socket);
    }

    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri.resolve("/api/health"))
                    .timeout(Duration.ofSeconds(5)) // far below the read timeout: not waited out
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"ok\":true");
    assertThat(stalled).as("still open while health answered").allMatch(SlowClientsTest::open);
    for (Socket socket : stalled) {
      assertThat(awaitClosed(socket)).as("closed by the server").isTrue();
    }
  }

  /** Whether the server has not closed the connection (nothing to read yet, no end). */
  private static boolean open(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() >= 0;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits for the server to close the connection; false when it is still open after a minute. */
  private static boolean awaitClosed(Socket socket) throws IOException {
    socket.setSoTimeout(60_000);
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // a 408 or 400 answer may come first; the end of the stream is what counts
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }
}
