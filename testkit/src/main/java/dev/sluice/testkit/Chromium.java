package dev.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium}), driven over the Chrome DevTools protocol
 * with the JDK's own WebSocket client: navigate, evaluate JavaScript, take screenshots.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private Chromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** The browser binary: {@code $SLUICE_CHROMIUM}, else {@code /usr/bin/chromium}. */
  public static Path binary() {
    String configured = System.getenv("SLUICE_CHROMIUM");
    return Path.of(configured != null ? configured : "/usr/bin/chromium");
  }

  public static Chromium start(int width, int height) throws Exception {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(
          binary + " is missing: install it (apt-get install -y chromium chromium-driver)");
    }
    Path profile = Files.createTempDirectory("sluice-chromium-");
    Process process =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--user-data-dir=" + profile,
                    "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0",
                    "--window-size=" + width + "," + height,
                    "about:blank"))
            .redirectErrorStream(true)
            .redirectOutput(profile.resolve("chromium.log").toFile())
            .start();
    try {
      Path activePort = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2)) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new AssertionError(
              "chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
        }
        Thread.sleep(50);
      }
      int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
      HttpClient http = HttpClient.newHttpClient();
      String pageSocket = null;
      while (pageSocket == null) {
        JsonNode targets =
            JSON.readTree(
                http.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/json/list"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        for (JsonNode target : targets) {
          if (target.path("type").asText().equals("page")) {
            pageSocket = target.get("webSocketDebuggerUrl").asText();
          }
        }
        if (pageSocket == null) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("chromium has no page to drive");
          }
          Thread.sleep(50);
        }
      }
      Listener listener = new Listener();
      WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(URI.create(pageSocket), listener)
              .get(10, TimeUnit.SECONDS);
      Chromium chromium = new Chromium(process, profile, socket);
      listener.chromium = chromium;
      chromium.call(
          "Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
      return chromium;
    } catch (Exception | AssertionError e) {
      process.destroyForcibly();
      deleteTree(profile);
      throw e;
    }
  }

  /** Calls a DevTools method and returns its result. */
  public JsonNode call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", JSON.valueToTree(params));
    socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
    JsonNode response = reply.get(30, TimeUnit.SECONDS);
    if (response.has("error")) {
      throw new AssertionError(method + " failed: " + response.get("error"));
    }
    return response.get("result");
  }

  public void navigate(URI uri) throws Exception {
    call("Page.navigate", Map.of("url", uri.toString()));
  }

  /** Evaluates an expression in the page and returns its value (JSON). */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode result =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new AssertionError("page script failed: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Waits until the expression is truthy; returns its last value. */
  public JsonNode await(String expression, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode value = evaluate(expression);
    while (!truthy(value)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the page never satisfied: " + expression + " (last: " + value + ")");
      }
      Thread.sleep(50);
      value = evaluate(expression);
    }
    return value;
  }

  private static boolean truthy(JsonNode value) {
    return !(value == null
        || value.isMissingNode()
        || value.isNull()
        || (value.isBoolean() && !value.asBoolean())
        || (value.isTextual() && value.asText().isEmpty())
        || (value.isNumber() && value.asDouble() == 0));
  }

  public void screenshot(Path file) throws Exception {
    JsonNode result = call("Page.captureScreenshot", Map.of("format", "png"));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(result.get("data").asText()));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    socket.abort();
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
    deleteTree(profile);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();
    volatile Chromium chromium;

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          if (message.has("id") && chromium != null) {
            CompletableFuture<JsonNode> reply = chromium.pending.remove(message.get("id").asInt());
            if (reply != null) {
              reply.complete(message);
            }
          }
        } catch (IOException e) {
          // not a protocol message
        }
        text.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }
}
