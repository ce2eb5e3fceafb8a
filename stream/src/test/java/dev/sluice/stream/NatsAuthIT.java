package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.apply.Pipeline;
import dev.sluice.apply.RuleState;
import dev.sluice.stream.internal.PemTls;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and TLS against NATS servers of the test's own ({@code /usr/sbin/nats-server},
 * skipped where the binary is absent), with certificates made by {@code openssl} for the test.
 */
class NatsAuthIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("nats-auth");

  private static final String TOKEN = "t0k'en-\u00fc-secret";

  @TempDir Path dir;

  @BeforeAll
  static void needsTheServer() {
    assumeTrue(NatsServer.available(), "no /usr/sbin/nats-server on this machine");
  }

  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue())
        .as("openssl %s: %s", command, Files.readString(dir.resolve("openssl.log")))
        .isZero();
  }

  /** A CA, a server certificate for 127.0.0.1 (RSA) and a client certificate (EC), in PEM. */
  private void certificates() throws Exception {
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=sluice test CA");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        dir,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext");
    openssl(
        dir,
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/CN=sluice client");
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "client.pem",
        "-days",
        "2");
  }

  private static String yaml(String target) {
    return """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets:
          bus: %s
        rules:
          - { name: to-bus, target: bus, tables: [public.items] }
        """
        .formatted(target);
  }

  private static long count(Connection reader) {
    try {
      return reader.jetStreamManagement().getStreamInfo("SLUICE").getStreamState().getMsgCount();
    } catch (IOException | JetStreamApiException e) {
      return 0;
    }
  }

  @Test
  void aTokenOverMutualTlsCarriesTheRuleAndAWrongTokenFailsItWithoutPrintingIt() throws Exception {
    certificates();
    String tls =
        """
        tls { cert_file: "%s", key_file: "%s", ca_file: "%s", verify: true, timeout: 5 }
        """
            .formatted(dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("ca.pem"));
    try (NatsServer nats = NatsServer.start("authorization { token: \"" + TOKEN + "\" }\n" + tls);
        Pipeline p = new Pipeline(PG.cluster())) {
      p.sql("CREATE TABLE items(id int PRIMARY KEY, v text)");
      String tlsKeys =
          "tlsCa: \"%s\", tlsCert: \"%s\", tlsKey: \"%s\""
              .formatted(
                  dir.resolve("ca.pem"), dir.resolve("client.pem"), dir.resolve("client.key"));
      p.configure(yaml("{ url: \"%s\", token: \"%s\", %s }".formatted(nats.url(), TOKEN, tlsKeys)))
          .start();
      p.sql("INSERT INTO items VALUES (1, 'over tls')");
      try (Connection reader =
          Nats.connect(
              Options.builder()
                  .server(nats.url())
                  .token(TOKEN.toCharArray())
                  .sslContext(
                      PemTls.context(
                          dir.resolve("ca.pem"),
                          dir.resolve("client.pem"),
                          dir.resolve("client.key")))
                  .build())) {
        p.await(() -> count(reader) == 1, "the insert in the stream");
        String body =
            new String(
                reader.jetStreamManagement().getMessage("SLUICE", 1).getData(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).contains("\"v\":\"over tls\"");
      }
      assertThat(p.status("to-bus").state()).isEqualTo(RuleState.RUNNING);
    }
    try (NatsServer nats = NatsServer.start("authorization { token: \"" + TOKEN + "\" }\n" + tls);
        Pipeline p = new Pipeline(PG.cluster())) {
      p.failFast = false;
      p.sql("CREATE TABLE items(id int PRIMARY KEY)");
      String tlsKeys =
          "tlsCa: \"%s\", tlsCert: \"%s\", tlsKey: \"%s\""
              .formatted(
                  dir.resolve("ca.pem"), dir.resolve("client.pem"), dir.resolve("client.key"));
      p.configure(
              yaml(
                  "{ url: \"%s\", token: \"wrong-%s\", %s }".formatted(nats.url(), TOKEN, tlsKeys)))
          .start();
      p.await(() -> p.status("to-bus").state() == RuleState.FAILED, "the rule to fail");
      assertThat(p.status("to-bus").lastError())
          .contains("target bus")
          .containsIgnoringCase("authorization")
          .doesNotContain(TOKEN);
    }
  }

  @Test
  void withoutTheCaTheServersCertificateIsRefusedAndTheRuleRetries() throws Exception {
    certificates();
    String tls =
        """
        tls { cert_file: "%s", key_file: "%s", timeout: 5 }
        """
            .formatted(dir.resolve("server.pem"), dir.resolve("server.key"));
    try (NatsServer nats = NatsServer.start(tls);
        Pipeline p = new Pipeline(PG.cluster())) {
      p.failFast = false;
      p.sql("CREATE TABLE items(id int PRIMARY KEY)");
      // the client's own certificate as the only CA: the server's is not signed by it
      p.configure(
              yaml(
                  "{ url: \"%s\", tlsCa: \"%s\" }"
                      .formatted(nats.url(), dir.resolve("client.pem"))))
          .start();
      p.await(
          () -> p.status("to-bus").lastError() != null,
          "the rule to report the refused certificate");
      assertThat(p.status("to-bus").state()).isIn(RuleState.RETRYING, RuleState.FAILED);
      assertThat(p.status("to-bus").lastError()).contains("cannot connect");
    }
  }

  @Test
  void anNKeySeedAuthenticatesTheRule() throws Exception {
    NKey user = NKey.createUser(null);
    String seed = new String(user.getSeed());
    String publicKey = new String(user.getPublicKey());
    try (NatsServer nats =
            NatsServer.start("authorization { users = [ { nkey: \"" + publicKey + "\" } ] }\n");
        Pipeline p = new Pipeline(PG.cluster())) {
      p.sql("CREATE TABLE items(id int PRIMARY KEY, v text)");
      p.configure(yaml("{ url: \"%s\", nkey: \"%s\" }".formatted(nats.url(), seed))).start();
      p.sql("INSERT INTO items VALUES (1, 'signed \uD83D\uDE00')");
      try (Connection reader =
          Nats.connect(
              Options.builder()
                  .server(nats.url())
                  .authHandler(Nats.staticCredentials(null, seed.toCharArray()))
                  .build())) {
        p.await(() -> count(reader) == 1, "the insert in the stream");
      }
      assertThat(p.status("to-bus").state()).isEqualTo(RuleState.RUNNING);
      assertThat(p.config.toString()).doesNotContain(seed);
    }
  }
}
