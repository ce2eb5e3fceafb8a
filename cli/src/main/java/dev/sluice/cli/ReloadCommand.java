package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice reload -c FILE}: the running sidecar reads its file again. */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Make the running sidecar apply its configuration file again, without a restart.",
      "Validates the file first, as validate does (an invalid file changes nothing), then asks the"
          + " sidecar at monitor.host:monitor.port (POST /api/reload, with monitor.token) to read"
          + " it and apply the difference: rules added, removed or changed, targets, replica nodes,"
          + " lagTolerance, hysteresis, routing, source.tables. Keys that cannot change at run time"
          + " (the source's URL and slot, the journal, the monitor) are refused, naming each, and"
          + " nothing is changed. Prints what changed. SIGHUP to the sidecar does the same.",
      "Exit codes: 0 applied (or nothing differed), 1 no sidecar answers or it failed, 2 invalid"
          + " file or a key that needs a restart."
    })
final class ReloadCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SluiceConfig loaded = config.load(); // an invalid file: every problem, exit 2
    MonitorConfig monitor = loaded.monitor();
    if (monitor.port() == 0) {
      throw new SetupException(
          "monitor.port is 0 (a free port picked at start), so the running sidecar cannot be"
              + " found: send it SIGHUP instead, or set monitor.port");
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
                + "/api/reload");
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
              + config.file
              + "' running?");
      return ExitCode.FAILURE;
    } catch (IOException e) {
      err.println("cannot ask the sidecar on " + uri.resolve("/") + ": " + e.getMessage());
      return ExitCode.FAILURE;
    }
    JsonNode body;
    try {
      body = new ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      err.println(
          "the server on "
              + uri.resolve("/")
              + " answered "
              + response.statusCode()
              + ", not JSON");
      return ExitCode.FAILURE;
    }
    if (response.statusCode() == 200) {
      JsonNode changed = body.path("changed");
      if (changed.isEmpty()) {
        out.println("reloaded " + config.file + ": nothing differs from the running configuration");
      } else {
        out.println("reloaded " + config.file + ":");
        changed.forEach(line -> out.println("  " + line.asText()));
      }
      out.flush();
      return ExitCode.OK;
    }
    err.println(body.path("error").asText("the sidecar answered " + response.statusCode()));
    err.flush();
    int status = response.statusCode();
    return status == 400 || status == 409 ? ExitCode.USAGE : ExitCode.FAILURE;
  }
}
