package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.SetupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A POST to the HTTP API of the sidecar running with a configuration ({@code monitor.host}, {@code
 * monitor.port}, {@code monitor.token}), for the commands that act on it ({@code reload}, {@code
 * resync}).
 *
 * @param status the HTTP status
 * @param body the answer's JSON
 */
record SidecarRequest(int status, JsonNode body) {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  /**
   * Posts to {@code path}; prints why to {@code err} and returns null when no sidecar answers or
   * the answer is not JSON.
   *
   * @throws SetupException when {@code monitor.port} is 0 (the sidecar cannot be found)
   */
  static SidecarRequest post(MonitorConfig monitor, String path, String file, PrintWriter err)
      throws InterruptedException {
    if (monitor.port() == 0) {
      throw new SetupException(
          "monitor.port is 0 (a free port picked at start), so the running sidecar cannot be"
              + " found: set monitor.port");
    }
    String host =
        monitor.host().equals("0.0.0.0") || monitor.host().equals("::")
            ? "127.0.0.1"
            : monitor.host();
    URI uri =
        URI.create(
            "http://"
                + (host.contains(":") ? "[" + host + "]" : host)
                + ":"
                + monitor.port()
                + path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.noBody());
    if (monitor.token() != null) {
      request.header("Authorization", "Bearer " + monitor.token().reveal());
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      err.println(
          "no sidecar answers on "
              + uri.resolve("/")
              + ": is 'sluice run -c "
              + file
              + "' running?");
      return null;
    } catch (IOException e) {
      err.println("cannot ask the sidecar on " + uri.resolve("/") + ": " + e.getMessage());
      return null;
    }
    try {
      return new SidecarRequest(
          response.statusCode(), new ObjectMapper().readTree(response.body()));
    } catch (IOException e) {
      err.println(
          "the server on "
              + uri.resolve("/")
              + " answered "
              + response.statusCode()
              + ", not JSON");
      return null;
    }
  }

  /** The sidecar's error, printed; the exit code for it (2 for 400/404/409, else 1). */
  int refused(PrintWriter err) {
    err.println(body.path("error").asText("the sidecar answered " + status));
    err.flush();
    return status == 400 || status == 404 || status == 409 ? ExitCode.USAGE : ExitCode.FAILURE;
  }
}
