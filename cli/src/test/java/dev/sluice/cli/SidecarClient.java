package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testkit.PostgresCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** The HTTP API of a sidecar process on 127.0.0.1, with its token; and waiting on it. */
record SidecarClient(int port, String token) {

  /** {@code GET path} with the token, as JSON. */
  JsonNode get(String path) {
    try {
      return new ObjectMapper().readTree(send("GET", path, null).body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A request with the token. */
  HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body, token);
  }

  /** A request with {@code token} (none when null). */
  HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits up to 2 minutes, failing at once (with the log) when the sidecar dies. */
  static void await(String what, SluiceProcess sidecar, BooleanSupplier condition)
      throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (!condition.getAsBoolean()) {
      assertThat(sidecar.isAlive()).as(what + "; the sidecar died:\n" + sidecar.log()).isTrue();
      assertThat(Instant.now()).as(what + "; log:\n" + sidecar.log()).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  /** Waits until {@code database.public.table} has {@code rows} rows (at least, or exactly). */
  static void awaitRows(
      PostgresCluster pg,
      String database,
      String table,
      long rows,
      SluiceProcess sidecar,
      boolean atLeast)
      throws Exception {
    await(
        (atLeast ? "at least " : "") + rows + " rows in " + database + "." + table,
        sidecar,
        () -> {
          try {
            return pg.queryIn(database, "SELECT count(*) FROM public." + table).get(0).get(0)
                    instanceof Long count
                && (atLeast ? count >= rows : count == rows);
          } catch (RuntimeException notYetCreated) {
            return false;
          }
        });
  }
}
