package dev.sluice.monitor.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.monitor.ActivityFeed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code /api/stream}: the activity feed as server-sent events, one {@code activity} event per feed
 * entry ({@code id:} is the entry's id, {@code data:} its JSON), and a comment every {@link
 * #KEEP_ALIVE} so proxies keep the connection open.
 *
 * <p>Each client holds one server thread while connected; the number of clients is bounded. A
 * client that does not keep up overflows its subscription and is disconnected; one that stops
 * reading makes a write stall, which the server fails after its idle timeout, and the stream ends.
 * The feed (and so the pipeline) never waits for a client.
 */
final class EventStream {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private static final Duration WAKE_UP = Duration.ofMillis(500);

  private final ActivityFeed feed;
  private final ObjectMapper json;
  private final int maxClients;
  private final AtomicInteger clients = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  EventStream(ActivityFeed feed, ObjectMapper json, int maxClients) {
    this.feed = feed;
    this.json = json;
    this.maxClients = maxClients;
  }

  /**
   * Streams until the client goes, falls behind, or the server closes.
   *
   * @param afterId send the kept entries after this id first ({@link Long#MAX_VALUE}: none)
   * @throws HttpError 503 when the maximum number of clients is connected
   * @throws IOException when the client went away or stopped reading
   */
  void serve(Exchange exchange, long afterId) throws IOException, InterruptedException {
    if (clients.incrementAndGet() > maxClients) {
      clients.decrementAndGet();
      throw new HttpError(
          503, "too many event stream clients (at most " + maxClients + " at a time)");
    }
    try (ActivityFeed.Subscription subscription = feed.subscribe(afterId)) {
      exchange.setHeader("X-Accel-Buffering", "no");
      OutputStream out = exchange.stream(200, "text/event-stream; charset=utf-8");
      write(out, "retry: 2000\n\n");
      long lastWrite = System.nanoTime();
      while (!closed.get() && !subscription.isClosed()) {
        ActivityFeed.Entry entry = subscription.poll(WAKE_UP);
        if (entry != null) {
          write(
              out,
              "id: "
                  + entry.id()
                  + "\nevent: activity\ndata: "
                  + json.writeValueAsString(EventJson.of(entry))
                  + "\n\n");
          lastWrite = System.nanoTime();
        } else if (System.nanoTime() - lastWrite > KEEP_ALIVE.toNanos()) {
          write(out, ": keep-alive\n\n");
          lastWrite = System.nanoTime();
        }
      }
      out.close();
      exchange.endStream(null);
    } finally {
      clients.decrementAndGet();
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  int clients() {
    return clients.get();
  }

  /** Ends every stream (within {@link #WAKE_UP}). */
  void close() {
    closed.set(true);
  }
}
