package dev.sluice.monitor;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.SetupException;
import dev.sluice.monitor.internal.MonitorEndpoints;
import dev.sluice.monitor.internal.PrometheusExposition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The monitor's HTTP server: the dashboard page, the JSON API, the SSE activity stream and {@code
 * /metrics}, all behind the bearer token when one is configured.
 *
 * <pre>{@code
 * try (MonitorServer server = MonitorServer.start(config.monitor(), source, feed, metrics)) {
 *   System.out.println("dashboard: " + server.uri());
 *   ...
 * }
 * }</pre>
 *
 * <p>Built on Jetty's core server, which reads requests without holding a thread: a client that
 * sends its request slowly (or never finishes it) costs a connection, not a worker. Each connection
 * is closed when it has made no progress for {@link Builder#readTimeout} ({@value
 * #DEFAULT_READ_TIMEOUT_SECONDS} s unless told otherwise), request headers are limited to {@value
 * #MAX_HEADER_BYTES} bytes, and at most {@value #MAX_CONNECTIONS} connections are open at once
 * (more wait to be accepted).
 *
 * <p>Thread-safe. Requests are served by a bounded pool of daemon threads: {@link
 * Builder#maxStreamClients} for SSE clients plus {@link #WORKERS} for everything else, so streams
 * never starve the API.
 */
public final class MonitorServer implements AutoCloseable {
  /** The largest request body accepted, in bytes (only actions read one). */
  public static final int MAX_BODY_BYTES = MonitorEndpoints.MAX_BODY_BYTES;

  /** How many SSE clients may be connected at once unless told otherwise. */
  public static final int DEFAULT_MAX_STREAM_CLIENTS = 16;

  /** Threads for requests other than SSE streams. */
  public static final int WORKERS = 4;

  /** How long a connection may make no progress (reading a request, or writing) by default. */
  public static final int DEFAULT_READ_TIMEOUT_SECONDS = 10;

  /** The largest request line and headers accepted, in bytes (431 beyond). */
  public static final int MAX_HEADER_BYTES = 8 * 1024;

  /** How many connections may be open at once. */
  public static final int MAX_CONNECTIONS = 512;

  /** Threads the server needs besides the workers: one accepting, one selecting. */
  private static final int SERVER_THREADS = 2;

  private final Server server;
  private final ServerConnector connector;
  private final MonitorEndpoints endpoints;

  private MonitorServer(Server server, ServerConnector connector, MonitorEndpoints endpoints) {
    this.server = server;
    this.connector = connector;
    this.endpoints = endpoints;
  }

  /** Starts a server with no actions; see {@link #builder} for more. */
  public static MonitorServer start(
      MonitorConfig config, MonitorSource source, ActivityFeed feed, MetricRegistry metrics) {
    return builder(config, source, feed, metrics).start();
  }

  /** A server to configure further, then {@link Builder#start()}. */
  public static Builder builder(
      MonitorConfig config, MonitorSource source, ActivityFeed feed, MetricRegistry metrics) {
    return new Builder(config, source, feed, metrics);
  }

  /** The address it listens on (with the port it got when the configured one was 0). */
  public InetSocketAddress address() {
    return new InetSocketAddress(resolveBound(connector.getHost()), connector.getLocalPort());
  }

  private static InetAddress resolveBound(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("the bound address " + host + " no longer resolves", e);
    }
  }

  public int port() {
    return address().getPort();
  }

  /** The dashboard's address, like {@code http://127.0.0.1:14499/}. */
  public URI uri() {
    InetAddress address = address().getAddress();
    String host = address.getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** How many SSE clients are connected now. */
  public int streamClients() {
    return endpoints.streamClients();
  }

  /** Stops listening, ends the streams, and stops the threads. */
  @Override
  public void close() {
    endpoints.close();
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("the monitor did not stop: " + e.getMessage(), e);
    }
  }

  /** A server being configured. Not thread-safe; use it from one thread, then discard it. */
  public static final class Builder {
    private final MonitorConfig config;
    private final MonitorSource source;
    private final ActivityFeed feed;
    private final MetricRegistry metrics;
    private final Map<String, Action> actions = new LinkedHashMap<>();
    private String origin = "live";
    private int maxStreamClients = DEFAULT_MAX_STREAM_CLIENTS;
    private Duration readTimeout = Duration.ofSeconds(DEFAULT_READ_TIMEOUT_SECONDS);

    private Builder(
        MonitorConfig config, MonitorSource source, ActivityFeed feed, MetricRegistry metrics) {
      this.config = Objects.requireNonNull(config, "config");
      this.source = Objects.requireNonNull(source, "source");
      this.feed = Objects.requireNonNull(feed, "feed");
      this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Adds a POST endpoint, e.g. {@code action("/api/replicas/{group}/promote", promote)}, or one
     * of another method when the pattern starts with it: {@code action("DELETE /api/rules/{name}",
     * remove)} (POST, PUT, DELETE, or GET for a path no built-in endpoint serves). A {@code {name}}
     * segment matches one path segment and is passed to the action decoded. Actions need the token
     * like everything else.
     *
     * @throws IllegalArgumentException when the pattern is not a path or is already taken
     */
    public Builder action(String pathPattern, Action action) {
      int space = pathPattern.indexOf(' ');
      String method = space < 0 ? "POST" : pathPattern.substring(0, space);
      String path = space < 0 ? pathPattern : pathPattern.substring(space + 1);
      if (!java.util.Set.of("POST", "PUT", "DELETE", "GET").contains(method)) {
        throw new IllegalArgumentException(
            "an action's method is POST, PUT, DELETE or GET, not '" + method + "'");
      }
      if (!path.startsWith("/api/")) {
        throw new IllegalArgumentException(
            "action paths start with /api/, not '" + pathPattern + "'");
      }
      if (actions.putIfAbsent(method + " " + path, Objects.requireNonNull(action, "action"))
          != null) {
        throw new IllegalArgumentException("an action is already registered on " + pathPattern);
      }
      return this;
    }

    /** Adds every action of the map (path pattern to action). */
    public Builder actions(Map<String, Action> actions) {
      actions.forEach(this::action);
      return this;
    }

    /**
     * What the figures come from, shown in the page's header: {@code live} (the default) or, for
     * example, {@code read-only: state file /var/lib/sluice/state.json}.
     */
    public Builder origin(String origin) {
      this.origin = Objects.requireNonNull(origin, "origin");
      return this;
    }

    /**
     * How many SSE clients may be connected at once (default {@value #DEFAULT_MAX_STREAM_CLIENTS}).
     */
    public Builder maxStreamClients(int maxStreamClients) {
      if (maxStreamClients < 1) {
        throw new IllegalArgumentException("maxStreamClients must be at least 1");
      }
      this.maxStreamClients = maxStreamClients;
      return this;
    }

    /**
     * How long a connection may make no progress before it is closed: a request whose line or
     * headers stop arriving, or a response the client stops reading (default {@value
     * #DEFAULT_READ_TIMEOUT_SECONDS} s). An event stream between events is not idle.
     */
    public Builder readTimeout(Duration readTimeout) {
      if (readTimeout.isNegative() || readTimeout.isZero()) {
        throw new IllegalArgumentException("readTimeout must be positive");
      }
      this.readTimeout = readTimeout;
      return this;
    }

    /**
     * Binds {@code monitor.host:monitor.port} and starts serving.
     *
     * @throws SetupException when the address cannot be bound (in use, not local), or a
     *     non-loopback address is to be bound without a token
     */
    public MonitorServer start() {
      InetAddress address = resolve(config.host());
      boolean hasToken = config.token() != null && !config.token().isEmpty();
      if (!address.isLoopbackAddress() && !hasToken) {
        throw new SetupException(
            "binding "
                + config.host()
                + " exposes the dashboard beyond this machine; set a token (monitor.token, or"
                + " --token for 'sluice monitor') or bind 127.0.0.1");
      }
      MonitorEndpoints endpoints =
          new MonitorEndpoints(
              source,
              feed,
              new PrometheusExposition(metrics),
              config.host(),
              config.token(),
              actions,
              origin,
              maxStreamClients);
      QueuedThreadPool threads =
          new QueuedThreadPool(maxStreamClients + WORKERS + SERVER_THREADS, SERVER_THREADS + 1);
      threads.setName("sluice-monitor");
      threads.setDaemon(true);
      threads.setReservedThreads(0);
      Server server = new Server(threads);
      HttpConfiguration http = new HttpConfiguration();
      http.setRequestHeaderSize(MAX_HEADER_BYTES);
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      ServerConnector connector =
          new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
      connector.setHost(address.getHostAddress());
      connector.setPort(config.port());
      connector.setIdleTimeout(readTimeout.toMillis());
      connector.setAcceptQueueSize(64);
      server.addConnector(connector);
      server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
      server.setHandler(endpoints);
      server.setStopTimeout(0);
      try {
        server.start();
      } catch (Exception e) {
        stopQuietly(server);
        throw new SetupException(
            "the monitor cannot listen on "
                + config.host()
                + ":"
                + config.port()
                + ": "
                + (e instanceof IOException && e.getCause() != null
                    ? e.getCause().getMessage()
                    : e.getMessage())
                + " (set monitor.port to a free port, or 0 for any)",
            e);
      }
      return new MonitorServer(server, connector, endpoints);
    }

    private static void stopQuietly(Server server) {
      try {
        server.stop();
      } catch (Exception e) {
        // it did not start
      }
    }

    private static InetAddress resolve(String host) {
      try {
        return InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        throw new SetupException("monitor.host '" + host + "' is not a known host or address", e);
      }
    }
  }
}
