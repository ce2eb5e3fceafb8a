package dev.sluice.monitor.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.sluice.monitor.ActivityFeed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code /api/stream}: the activity feed as server-sent events, one {@code activity} event per feed
 * entry ({@code id:} is the entry's id, {@code data:} its JSON), and a comment every {@link
 * #KEEP_ALIVE} so proxies keep the connection open.
 *
 * <p>Each client holds one server thread while connected; the number of clients is bounded. A
 * client that does not keep up overflows its subscription and is disconnected; the feed (and so the
 * pipeline) never waits for it.
 */
final class EventStream {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration WAKE_UP = Duration.ofMillis(500);

  private final ActivityFeed feed;
  private final ObjectMapper json;
  private final int maxClients;
  private final AtomicInteger clients = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The threads writing to a client now, with the time (nanos) their write started. */
  private final Map<Thread, Long> writing = new HashMap<>();

  private final ScheduledExecutorService watchdog;

  EventStream(ActivityFeed feed, ObjectMapper json, int maxClients) {
    this.feed = feed;
    this.json = json;
    this.maxClients = maxClients;
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-monitor-stream-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    watchdog.scheduleWithFixedDelay(this::interruptStalledWrites, 1, 1, TimeUnit.SECONDS);
  }

  private void interruptStalledWrites() {
    long now = System.nanoTime();
    synchronized (writing) { // so that a thread is interrupted only while it is still writing
      writing.forEach(
          (thread, since) -> {
            if (now - since > WRITE_TIMEOUT.toNanos()) {
              thread.interrupt(); // closes the channel the thread is blocked on
            }
          });
    }
  }

  /**
   * Streams until the client goes, falls behind, or the server closes.
   *
   * @param afterId send the kept entries after this id first ({@link Long#MAX_VALUE}: none)
   * @throws HttpError 503 when the maximum number of clients is connected
   */
  void serve(HttpExchange exchange, long afterId) throws IOException, InterruptedException {
    if (clients.incrementAndGet() > maxClients) {
      clients.decrementAndGet();
      throw new HttpError(
          503, "too many event stream clients (at most " + maxClients + " at a time)");
    }
    try (ActivityFeed.Subscription subscription = feed.subscribe(afterId)) {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
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
    } finally {
      clients.decrementAndGet();
      if (!closed.get()) {
        Thread.interrupted(); // a stalled write was given up on: the pool thread serves on
      }
    }
  }

  private void write(OutputStream out, String text) throws IOException {
    synchronized (writing) {
      writing.put(Thread.currentThread(), System.nanoTime());
    }
    try {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } finally {
      synchronized (writing) {
        writing.remove(Thread.currentThread());
      }
    }
  }

  int clients() {
    return clients.get();
  }

  /** Ends every stream (within {@link #WAKE_UP}). */
  void close() {
    closed.set(true);
    watchdog.shutdownNow();
  }
}
