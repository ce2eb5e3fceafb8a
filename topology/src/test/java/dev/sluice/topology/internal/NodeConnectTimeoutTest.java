package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.SilentServer;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConnectTimeoutTest {
  @Test
  void aRoutedConnectionToANodeThatNeverAnswersFailsWithinTheNodesConnectTimeout() {
    try (SilentServer silent = SilentServer.start();
        NodePools pools = new NodePools(c -> {})) {
      SluiceConfig config =
          new ConfigLoader(Map.of())
              .parse(
                  """
                  source: { url: "jdbc:postgresql://10.0.0.1:5432/app" }
                  replicas:
                    app:
                      nodes:
                        - { name: primary, role: master, url: "jdbc:postgresql://10.0.0.1:5432/app" }
                        - { name: mute, role: slave, url: "jdbc:postgresql://127.0.0.1:%d/app", connectTimeout: 1s }
                  """
                      .formatted(silent.port()),
                  "test.yaml",
                  Path.of("."),
                  null);
      Endpoint mute = Endpoint.of(config, "app", config.replicas().get("app").nodes().get(1));
      long started = System.nanoTime();
      assertThatThrownBy(() -> pools.of(mute).getConnection())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("sluice-app-mute");
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(millis).isBetween(900L, 5_000L);
      assertThat(silent.accepted()).isPositive();
    }
  }
}
