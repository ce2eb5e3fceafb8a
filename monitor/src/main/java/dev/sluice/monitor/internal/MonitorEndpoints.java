package dev.sluice.monitor.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.Secret;
import dev.sluice.monitor.Action;
import dev.sluice.monitor.ActivityFeed;
import dev.sluice.monitor.MonitorSource;
import dev.sluice.monitor.NodeView;
import dev.sluice.monitor.ReplicaGroupView;
import dev.sluice.monitor.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every endpoint of the monitor: the token check, routing, and the responses. See docs/http-api.md
 * for the shapes.
 *
 * <p>Thread-safe; one instance serves all requests. Handlers may block (the server gives each
 * request a thread of its pool).
 */
public final class MonitorEndpoints extends Handler.Abstract {
  /** The longest request target (path and query) accepted. */
  public static final int MAX_URI_LENGTH = 4096;

  /** The largest request body accepted (only actions read one). */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /** How many events {@code /api/events} returns unless {@code limit} says otherwise. */
  public static final int DEFAULT_EVENTS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(MonitorEndpoints.class);
  private static final Set<String> GET_PATHS =
      Set.of(
          "",
          "api/health",
          "api/pipeline",
          "api/rules",
          "api/replicas",
          "api/routing",
          "api/events",
          "api/stream",
          "api/snapshot",
          "metrics");
  private static final PathPattern ROUTING_READ = PathPattern.of("/api/routing/{group}/read");

  private final MonitorSource source;
  private final ActivityFeed feed;
  private final PrometheusExposition exposition;
  private final TokenCheck tokens;
  private final HostCheck hosts;

  /** Actions by path pattern, then by method. */
  private final Map<PathPattern, Map<String, Action>> actions;

  private final byte[] page;
  private final EventStream stream;
  private final ObjectMapper json = Json.mapper();

  /**
   * @param host {@code monitor.host}, for the {@code Host} check
   * @param actions POST endpoints by path pattern
   * @param origin what the figures come from, shown on the page
   * @param maxStreamClients how many SSE clients may be connected at once
   */
  public MonitorEndpoints(
      MonitorSource source,
      ActivityFeed feed,
      PrometheusExposition exposition,
      String host,
      Secret token,
      Map<String, Action> actions,
      String origin,
      int maxStreamClients) {
    this.source = source;
    this.feed = feed;
    this.exposition = exposition;
    this.tokens = new TokenCheck(token);
    this.hosts = new HostCheck(host, !tokens.required());
    Map<String, Map<String, Action>> byPattern = new LinkedHashMap<>();
    actions.forEach(
        (key, action) -> {
          int space = key.indexOf(' ');
          String method = space < 0 ? "POST" : key.substring(0, space);
          String pattern = space < 0 ? key : key.substring(space + 1);
          byPattern.computeIfAbsent(pattern, p -> new LinkedHashMap<>()).put(method, action);
        });
    this.actions = new LinkedHashMap<>();
    byPattern.forEach((pattern, methods) -> this.actions.put(PathPattern.of(pattern), methods));
    this.page = DashboardPage.render(origin);
    this.stream = new EventStream(feed, json, maxStreamClients);
  }

  /** Ends every event stream; called when the server closes. */
  public void close() {
    stream.close();
  }

  /** How many SSE clients are connected. */
  public int streamClients() {
    return stream.clients();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchange exchange = new Exchange(request, response, callback);
    try {
      securityHeaders(exchange);
      route(exchange);
    } catch (HttpError e) {
      if (e.status() == 401) {
        exchange.setHeader("WWW-Authenticate", "Bearer realm=\"sluice\"");
      }
      answerWithError(exchange, e.status(), e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answerWithError(exchange, 503, "the server is stopping", e);
    } catch (IOException e) {
      LOG.debug("monitor client went away: {}", e.toString());
      answerWithError(exchange, 500, "client went away", e);
    } catch (RuntimeException e) {
      LOG.warn("monitor request {} failed", exchange.rawPath(), e);
      answerWithError(exchange, 500, "internal error: " + e.getClass().getSimpleName(), e);
    }
    return true;
  }

  private void answerWithError(Exchange exchange, int status, String message, Throwable cause) {
    if (exchange.answered()) {
      exchange.endStream(cause); // a stream that broke off: nothing more can be said
      return;
    }
    try {
      sendJson(exchange, status, Map.of("error", message));
    } catch (IOException e) {
      exchange.endStream(e);
    }
  }

  private void route(Exchange exchange) throws IOException, InterruptedException {
    String rawPath = exchange.rawPath();
    String rawQuery = exchange.rawQuery();
    if (rawPath.length() + (rawQuery == null ? 0 : rawQuery.length()) > MAX_URI_LENGTH) {
      throw new HttpError(414, "the request target is longer than " + MAX_URI_LENGTH);
    }
    if (rawPath.equals("/livez")) {
      livez(exchange);
      return;
    }
    String host = exchange.header("Host");
    if (!hosts.accepts(host)) {
      throw new HttpError(
          403,
          "the Host header '"
              + host
              + "' names neither this server's address nor localhost (a page reached through"
              + " another name is refused); use the address, or set monitor.token");
    }
    List<String> path = RequestPath.decode(rawPath);
    Map<String, String> query = RequestPath.query(rawQuery);
    authenticate(exchange, query);
    query.remove("token");
    String method = exchange.method();
    String joined = String.join("/", path);
    Optional<Map.Entry<Map<String, Action>, Map<String, String>>> action = action(path);
    boolean isGetPath = GET_PATHS.contains(joined) || ROUTING_READ.match(path).isPresent();
    Action chosen = action.map(a -> a.getKey().get(method)).orElse(null);
    if (chosen != null && !(isGetPath && method.equals("GET"))) {
      perform(exchange, chosen, action.get().getValue(), query);
    } else if (method.equals("GET") && isGetPath) {
      rejectLargeBody(exchange);
      get(exchange, path, joined, query);
    } else if (isGetPath || action.isPresent()) {
      java.util.Set<String> allowed = new java.util.LinkedHashSet<>();
      if (isGetPath) {
        allowed.add("GET");
      }
      action.ifPresent(a -> allowed.addAll(a.getKey().keySet()));
      exchange.setHeader("Allow", String.join(", ", allowed));
      throw new HttpError(405, method + " is not allowed on " + rawPath);
    } else {
      throw new HttpError(404, "no such path: " + rawPath);
    }
  }

  /**
   * {@code GET /livez}: 200 with an empty body while the process serves, for liveness probes. No
   * token and no figures: it says nothing but that the process is alive, so a failing rule (which a
   * restart would not fix) never fails it.
   */
  private static void livez(Exchange exchange) {
    if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
      exchange.setHeader("Allow", "GET, HEAD");
      throw new HttpError(405, exchange.method() + " is not allowed on /livez");
    }
    exchange.send(200, "text/plain; charset=utf-8", new byte[0]);
  }

  private void authenticate(Exchange exchange, Map<String, String> query) {
    if (!tokens.required()) {
      return;
    }
    String presented = query.get("token");
    String authorization = exchange.header("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = authorization.substring(7).trim();
    }
    if (!tokens.accepts(presented)) {
      throw new HttpError(
          401,
          presented == null
              ? "a token is required: send 'Authorization: Bearer TOKEN' or add ?token=TOKEN"
              : "the token is not valid");
    }
  }

  private void get(Exchange exchange, List<String> path, String joined, Map<String, String> q)
      throws IOException, InterruptedException {
    switch (joined) {
      case "" -> send(exchange, 200, "text/html; charset=utf-8", page);
      case "api/health" -> health(exchange);
      case "api/pipeline" -> sendJson(exchange, 200, pipeline(source.snapshot()));
      case "api/rules" -> sendJson(exchange, 200, rules(source.snapshot()));
      case "api/replicas" -> sendJson(exchange, 200, replicas(source.snapshot()));
      case "api/routing" -> sendJson(exchange, 200, routing(source.snapshot()));
      case "api/snapshot" -> sendJson(exchange, 200, source.snapshot());
      case "api/events" -> sendJson(exchange, 200, events(q));
      case "api/stream" -> stream.serve(exchange, after(exchange, q));
      case "metrics" ->
          send(
              exchange,
              200,
              PrometheusExposition.CONTENT_TYPE,
              exposition.scrape(source.snapshot()));
      default -> routingRead(exchange, ROUTING_READ.match(path).orElseThrow().get("group"));
    }
  }

  private void health(Exchange exchange) throws IOException {
    Snapshot snapshot = source.snapshot();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", snapshot.health().ok());
    body.put("ts", snapshot.takenAt());
    body.put("reasons", snapshot.health().reasons());
    sendJson(exchange, snapshot.health().ok() ? 200 : 503, body);
  }

  private static Map<String, Object> pipeline(Snapshot snapshot) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ts", snapshot.takenAt());
    body.put("poll", snapshot.poll());
    body.put("capture", snapshot.pipeline().capture());
    body.put("journal", snapshot.pipeline().journal());
    return body;
  }

  private static Map<String, Object> rules(Snapshot snapshot) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ts", snapshot.takenAt());
    body.put("rules", snapshot.rules());
    return body;
  }

  private static Map<String, Object> replicas(Snapshot snapshot) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ts", snapshot.takenAt());
    body.put("groups", snapshot.replicas());
    return body;
  }

  private static Map<String, Object> routing(Snapshot snapshot) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ts", snapshot.takenAt());
    body.put(
        "groups",
        snapshot.replicas().stream()
            .map(
                group -> {
                  Map<String, Object> entry = new LinkedHashMap<>();
                  entry.put("group", group.group());
                  entry.put("strategy", group.routing());
                  entry.put("fresh", group.freshSlaves().stream().map(NodeView::name).toList());
                  entry.put("read", group.readNode());
                  entry.put("reason", group.readReason());
                  return entry;
                })
            .toList());
    return body;
  }

  private void routingRead(Exchange exchange, String name) throws IOException {
    Snapshot snapshot = source.snapshot();
    ReplicaGroupView group =
        snapshot
            .group(name)
            .orElseThrow(() -> new HttpError(404, "no replica group '" + name + "'"));
    NodeView node =
        Optional.ofNullable(group.readNode())
            .flatMap(group::node)
            .orElseThrow(
                () ->
                    new HttpError(
                        503,
                        "replica group '"
                            + name
                            + "' has no node to read from"
                            + (group.readReason() == null ? "" : ": " + group.readReason())));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("group", group.group());
    body.put("node", node.name());
    body.put("role", node.role());
    body.put("host", node.host());
    body.put("port", node.port());
    body.put("database", node.database());
    body.put("reason", group.readReason());
    body.put("ts", snapshot.takenAt());
    sendJson(exchange, 200, body);
  }

  private Map<String, Object> events(Map<String, String> query) {
    int limit = DEFAULT_EVENTS;
    String text = query.get("limit");
    if (text != null) {
      try {
        limit = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > ActivityFeed.DEFAULT_CAPACITY) {
        throw new HttpError(
            400,
            "limit must be a whole number from 1 to "
                + ActivityFeed.DEFAULT_CAPACITY
                + ", not '"
                + text
                + "'");
      }
    }
    return Map.of("events", feed.lastEntries(limit).stream().map(EventJson::of).toList());
  }

  private static long after(Exchange exchange, Map<String, String> query) {
    String text = exchange.header("Last-Event-ID");
    if (text == null) {
      text = query.get("after");
    }
    if (text == null) {
      return Long.MAX_VALUE;
    }
    try {
      long after = Long.parseLong(text.trim());
      if (after >= 0) {
        return after;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new HttpError(400, "after must be an event id (a whole number), not '" + text + "'");
  }

  private Optional<Map.Entry<Map<String, Action>, Map<String, String>>> action(List<String> path) {
    for (Map.Entry<PathPattern, Map<String, Action>> entry : actions.entrySet()) {
      Optional<Map<String, String>> parameters = entry.getKey().match(path);
      if (parameters.isPresent()) {
        return Optional.of(Map.entry(entry.getValue(), parameters.get()));
      }
    }
    return Optional.empty();
  }

  private void perform(
      Exchange exchange, Action action, Map<String, String> parameters, Map<String, String> query)
      throws IOException {
    rejectLargeBody(exchange);
    byte[] body = exchange.body(MAX_BODY_BYTES);
    if (body.length > MAX_BODY_BYTES) {
      throw new HttpError(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    Object result;
    try {
      result =
          action.perform(
              new Action.Request(parameters, query, new String(body, StandardCharsets.UTF_8)));
    } catch (Action.Invalid e) {
      Map<String, Object> invalid = new LinkedHashMap<>();
      invalid.put("error", String.valueOf(e.getMessage()));
      invalid.put("problems", e.problems());
      sendJson(exchange, 400, invalid);
      return;
    } catch (java.util.NoSuchElementException e) {
      throw new HttpError(404, String.valueOf(e.getMessage()));
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      throw new HttpError(409, String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("action {} failed", exchange.rawPath(), e);
      throw new HttpError(500, String.valueOf(e.getMessage()));
    } catch (Exception e) {
      throw new HttpError(500, String.valueOf(e.getMessage()));
    }
    if (result instanceof Action.Accepted accepted) {
      sendJson(exchange, 202, accepted.body());
      return;
    }
    sendJson(exchange, 200, result == null ? Map.of("ok", true) : result);
  }

  private static void rejectLargeBody(Exchange exchange) {
    String length = exchange.header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > MAX_BODY_BYTES) {
          throw new HttpError(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
      } catch (NumberFormatException e) {
        throw new HttpError(400, "Content-Length is not a number");
      }
    }
  }

  private static void securityHeaders(Exchange exchange) {
    exchange.setHeader("Cache-Control", "no-store");
    exchange.setHeader("X-Content-Type-Options", "nosniff");
    exchange.setHeader("Referrer-Policy", "no-referrer");
    exchange.setHeader("X-Frame-Options", "DENY");
    exchange.setHeader(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  }

  private void sendJson(Exchange exchange, int status, Object body) throws IOException {
    send(exchange, status, "application/json; charset=utf-8", json.writeValueAsBytes(body));
  }

  private static void send(Exchange exchange, int status, String contentType, byte[] body) {
    exchange.send(status, contentType, body);
  }
}
