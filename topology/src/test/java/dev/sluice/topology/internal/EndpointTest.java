package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.Dialect;
import dev.sluice.config.SluiceConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointTest {
  private static final SluiceConfig CONFIG =
      new ConfigLoader(Map.of())
          .parse(
              """
              source: { url: "jdbc:postgresql://10.0.0.1:5432/app" }
              targets:
                shop: { url: "jdbc:mariadb://10.0.0.7/shop", user: root }
                docs: { url: "mongodb://u:secret@m1:27018,m2:27018/analytics?tls=true" }
              rules:
                - { name: to-shop, target: shop }
                - { name: to-docs, target: docs }
              replicas:
                app:
                  nodes:
                    - { name: primary, role: master, url: "jdbc:postgresql://[::1]:6543/app?sslmode=require" }
                    - { name: shop, role: slave, fedBy: to-shop }
                    - { name: docs, role: slave, fedBy: to-docs }
              """,
              "test.yaml",
              Path.of("."),
              null);

  private static Endpoint endpoint(String node) {
    return Endpoint.of(
        CONFIG,
        "app",
        CONFIG.replicas().get("app").nodes().stream()
            .filter(n -> n.name().equals(node))
            .findFirst()
            .orElseThrow());
  }

  @Test
  void aPostgresNodeShowsItsHostPortAndDatabaseAndDefaultsToUserPostgres() {
    Endpoint e = endpoint("primary");

    assertThat(e.dialect()).isEqualTo(Dialect.POSTGRESQL);
    assertThat(e.host()).isEqualTo("::1");
    assertThat(e.port()).isEqualTo(6543);
    assertThat(e.database()).isEqualTo("app");
    assertThat(e.user()).isEqualTo("postgres");
  }

  @Test
  void aCdcFedSlaveWithoutUrlIsReachedThroughItsRulesTarget() {
    Endpoint shop = endpoint("shop");

    assertThat(shop.dialect()).isEqualTo(Dialect.MYSQL);
    assertThat(shop.host()).isEqualTo("10.0.0.7");
    assertThat(shop.port()).isEqualTo(3306);
    assertThat(shop.database()).isEqualTo("shop");
    assertThat(shop.user()).isEqualTo("root");
    assertThat(shop.isJdbc()).isTrue();
  }

  @Test
  void aMongoSlaveShowsItsFirstHostAndNoCredentials() {
    Endpoint docs = endpoint("docs");

    assertThat(docs.host()).isEqualTo("m1");
    assertThat(docs.port()).isEqualTo(27018);
    assertThat(docs.database()).isEqualTo("analytics");
    assertThat(docs.isJdbc()).isFalse();
    assertThat(docs.describe()).isEqualTo("docs (m1:27018)").doesNotContain("secret");
  }

  @Test
  void aSqliteSlaveShowsItsFileWithoutTheKeyInItsUrl() {
    SluiceConfig config =
        new ConfigLoader(Map.of())
            .parse(
                """
                source: { url: "jdbc:postgresql://10.0.0.1:5432/app" }
                targets:
                  local: { url: "jdbc:sqlite:/var/lib/sluice/mirror.db?cipher=sqlcipher&key=s3cret-K3y" }
                rules:
                  - { name: to-local, target: local }
                replicas:
                  app:
                    nodes:
                      - { name: primary, role: master, url: "jdbc:postgresql://10.0.0.1:5432/app" }
                      - { name: local, role: slave, fedBy: to-local }
                """,
                "test.yaml",
                Path.of("."),
                null);
    Endpoint local = Endpoint.of(config, "app", config.replicas().get("app").nodes().get(1));

    assertThat(local.database()).isEqualTo("/var/lib/sluice/mirror.db");
    assertThat(local.describe()).doesNotContain("s3cret");
  }
}
