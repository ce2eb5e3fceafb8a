package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sidecar whose configuration holds a secret in every place one can be (the source's
 * password, a target's password, a password inside a target URL, a replica node's password, the
 * monitor token): none of them may appear in anything Sluice shows or writes.
 */
class SecretsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("secrets-source");

  private static final String SOURCE_PASSWORD = "Src-Secret-1q";
  private static final String URL_PASSWORD = "Url-Secret-2w";
  private static final String TARGET_PASSWORD = "Tgt-Secret-3e";
  private static final String TOKEN = "Tok-Secret-4r";
  private static final String NODE_PASSWORD = "Node-Secret-5t";
  private static final String[] SECRETS = {
    SOURCE_PASSWORD, URL_PASSWORD, TARGET_PASSWORD, TOKEN, NODE_PASSWORD
  };
  private static final Pattern MONITOR = Pattern.compile("dashboard and API on (http://\\S+)");

  @TempDir Path dir;

  @Test
  void noSecretReachesTheLogStatusApiStateFileDryRunOrAnErrorMessage() throws Exception {
    PostgresCluster pg = PG.cluster();
    pg.execute(
        "CREATE ROLE src_user LOGIN REPLICATION PASSWORD '"
            + SOURCE_PASSWORD
            + "' IN ROLE password_users",
        "CREATE ROLE url_user LOGIN PASSWORD '" + URL_PASSWORD + "' IN ROLE password_users",
        "CREATE ROLE tgt_user LOGIN PASSWORD '" + TARGET_PASSWORD + "' IN ROLE password_users",
        "CREATE ROLE node_user LOGIN PASSWORD '" + NODE_PASSWORD + "' IN ROLE password_users",
        "CREATE DATABASE shop OWNER src_user",
        "CREATE DATABASE copy_a OWNER url_user",
        "CREATE DATABASE copy_b OWNER tgt_user");
    pg.executeIn(
        "shop",
        "CREATE TABLE orders(id int PRIMARY KEY, note text)",
        "ALTER TABLE orders OWNER TO src_user",
        "INSERT INTO orders VALUES (1, 'one'), (2, 'two')");
    String base = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/";
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source:
          url: %sshop
          user: src_user
          password: ${SRC_PW}
          slot: secrets
        journal: { dir: journal }
        targets:
          a: { url: "%scopy_a?user=url_user&password=%s" }
          b: { url: "%scopy_b", user: tgt_user, password: "%s" }
        rules:
          - { name: to-a, target: a }
          - { name: to-b, target: b }
        replicas:
          app:
            nodes:
              - { name: primary, role: master, url: "%sshop", user: node_user, password: "%s" }
        monitor: { port: 0, poll: 200ms, token: "%s" }
        state: state/sluice-state.json
        """
            .formatted(
                base, base, URL_PASSWORD, base, TARGET_PASSWORD, base, NODE_PASSWORD, TOKEN));
    Map<String, String> environment = Map.of("SRC_PW", SOURCE_PASSWORD);
    Map<String, String> seen = new LinkedHashMap<>();

    CliRun dryRun = CliRun.of("validate", "--dry-run", "-c", withLiteralSourcePassword(config));
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out()).contains("password: <masked>").contains("# everything can run");
    seen.put("validate --dry-run", dryRun.out() + dryRun.err());

    Path log = dir.resolve("run.log");
    try (SluiceProcess run =
        SluiceProcess.start(
            List.of(), environment, log, "--log-format", "text", "run", "-c", config.toString())) {
      URI monitor = URI.create(awaitLog(run, MONITOR));
      HttpClient client = HttpClient.newHttpClient();
      awaitRowsApplied(pg);
      for (String path :
          List.of(
              "/",
              "/api/health",
              "/api/pipeline",
              "/api/rules",
              "/api/replicas",
              "/api/routing",
              "/api/events",
              "/metrics")) {
        HttpResponse<String> response = get(client, monitor, path);
        assertThat(response.statusCode()).as(path).isIn(200, 503);
        seen.put("GET " + path, response.body() + response.headers().map());
      }
      assertThat(get(client, monitor, "/api/pipeline").body()).contains("\"slot\":\"secrets\"");
      Path state = dir.resolve("state/sluice-state.json");
      awaitFile(state);
      seen.put("state file", Files.readString(state));
      String statusConfig = withLiteralSourcePassword(config);
      CliRun status = CliRun.of("status", "-c", statusConfig);
      CliRun statusJson = CliRun.of("status", "--json", "-c", statusConfig);
      assertThat(status.out()).contains("to-a");
      seen.put("status", status.out() + status.err());
      seen.put("status --json", statusJson.out() + statusJson.err());
      assertThat(run.terminate(Duration.ofSeconds(60))).as(run.log()).isZero();
    }
    seen.put("log of sluice run", Files.readString(log));

    Files.writeString(
        config, Files.readString(config).replace("${SRC_PW}", "Wrong-" + SOURCE_PASSWORD));
    CliRun wrongPassword = CliRun.of("validate", "--dry-run", "-c", config.toString());
    assertThat(wrongPassword.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(wrongPassword.err()).contains("cannot log in to the source");
    seen.put("wrong-password error", wrongPassword.out() + wrongPassword.err());
    Files.writeString(
        config,
        Files.readString(config)
            .replace("Wrong-" + SOURCE_PASSWORD, SOURCE_PASSWORD)
            .replace("password=" + URL_PASSWORD, "password=x" + URL_PASSWORD));
    CliRun wrongTarget = CliRun.of("validate", "--dry-run", "-c", config.toString());
    assertThat(wrongTarget.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(wrongTarget.err()).contains("target a:");
    seen.put("wrong target password error", wrongTarget.out() + wrongTarget.err());

    assertThat(seen).hasSize(15);
    seen.forEach((where, text) -> assertThat(text).as(where).isNotEmpty().doesNotContain(SECRETS));
  }

  /** A copy of the configuration with the source password written in (CliRun runs in-process). */
  private String withLiteralSourcePassword(Path config) throws Exception {
    Path copy = dir.resolve("literal.yaml");
    Files.writeString(copy, Files.readString(config).replace("${SRC_PW}", SOURCE_PASSWORD));
    return copy.toString();
  }

  private static void awaitRowsApplied(PostgresCluster pg) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!hasBothRows(pg, "copy_a") || !hasBothRows(pg, "copy_b")) {
      assertThat(Instant.now()).as("both targets receive the rows").isBefore(deadline);
      Thread.sleep(200);
    }
  }

  private static boolean hasBothRows(PostgresCluster pg, String database) {
    try {
      return pg.queryIn(database, "SELECT count(*) FROM public.orders").get(0).get(0).equals(2L);
    } catch (RuntimeException notYetCreated) {
      return false;
    }
  }

  private static String awaitLog(SluiceProcess process, Pattern pattern)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      Matcher m = pattern.matcher(process.log());
      if (m.find()) {
        return m.group(1);
      }
      assertThat(process.isAlive()).as(process.log()).isTrue();
      assertThat(Instant.now())
          .as("the log shows " + pattern + ":\n" + process.log())
          .isBefore(deadline);
      Thread.sleep(100);
    }
  }

  private static void awaitFile(Path file) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(60);
    while (!Files.exists(file)) {
      assertThat(Instant.now()).as("the state file is written").isBefore(deadline);
      Thread.sleep(100);
    }
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
