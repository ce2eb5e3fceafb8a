package dev.sluice.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server-sent events client over a plain socket: it collects the {@code data:} lines of the
 * stream on a thread of its own.
 */
final class EventStreamClient implements AutoCloseable {
  private final Socket socket;
  private final int status;
  private final BlockingQueue<String> data = new LinkedBlockingQueue<>();

  private EventStreamClient(Socket socket, int status) {
    this.socket = socket;
    this.status = status;
  }

  static EventStreamClient connect(URI server, String query, String... headers) throws IOException {
    Socket socket = new Socket(server.getHost(), server.getPort());
    socket.setSoTimeout(10_000);
    StringBuilder request =
        new StringBuilder("GET /api/stream" + query + " HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    OutputStream out = socket.getOutputStream();
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String statusLine = in.readLine();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    EventStreamClient client = new EventStreamClient(socket, status);
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  if (line.startsWith("data: ")) {
                    client.data.add(line.substring(6));
                  }
                }
              } catch (IOException e) {
                // closed
              }
            },
            "sse-test-client");
    reader.setDaemon(true);
    reader.start();
    return client;
  }

  int status() {
    return status;
  }

  /** The next event's data, or null when none came in time. */
  String next(Duration timeout) throws InterruptedException {
    return data.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
