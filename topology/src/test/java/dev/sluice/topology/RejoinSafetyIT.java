package dev.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rejoin} given the data directory of another cluster (a typo in {@code --data-dir}, a wrong
 * node) stops nothing and changes nothing: the directory's running server listens on another port
 * than the node's, or its system identifier is not the master's.
 */
class RejoinSafetyIT {
  @RegisterExtension
  static final PostgresExtension MASTER = new PostgresExtension("rejoin-safety-master");

  @RegisterExtension
  static final PostgresExtension OTHER = new PostgresExtension("rejoin-safety-other");

  @TempDir Path dir;

  @BeforeAll
  static void markTheOtherCluster() {
    OTHER
        .cluster()
        .execute("CREATE TABLE precious(v text)", "INSERT INTO precious VALUES ('kept')");
  }

  private SluiceConfig config(int nodePort) throws Exception {
    return Clusters.config(
        Files.createDirectories(dir.resolve("c" + nodePort)),
        MASTER.cluster(),
        """
        replicas:
          app:
            nodes:
              - { name: primary, role: master, url: "%s" }
              - { name: old, role: slave, url: "jdbc:postgresql://127.0.0.1:%d/postgres" }
        """
            .formatted(MASTER.cluster().jdbcUrl(), nodePort));
  }

  private static void assertUntouched(PostgresCluster other) {
    assertThat(other.isRunning()).isTrue();
    assertThat(other.queryValue("SELECT v FROM precious")).isEqualTo("kept");
    assertThat(other.queryValue("SELECT pg_is_in_recovery()")).isEqualTo(false);
  }

  @Test
  void aDataDirectoryWhoseServerListensOnAnotherPortIsNotStopped() throws Exception {
    PostgresCluster other = OTHER.cluster();
    int nodePort = MASTER.cluster().port() == 1 ? 2 : 1; // nothing listens there
    try (Topology topology =
        Topology.start(
            config(nodePort), AppliedPositions.NONE, e -> {}, Topology.Options.oneShot())) {
      assertThatThrownBy(() -> topology.rejoin("app", "old", RejoinOptions.of(other.dataDir())))
          .isInstanceOf(SetupException.class)
          .hasMessageContaining("is the data directory of the server on port " + other.port())
          .hasMessageContaining("is on port " + nodePort)
          .hasMessageContaining("nothing was stopped or changed");
    }
    assertUntouched(other);
  }

  @Test
  void aDataDirectoryOfAnotherClusterIsNeitherStoppedNorReplaced() throws Exception {
    PostgresCluster other = OTHER.cluster();
    try (Topology topology =
        Topology.start(
            config(other.port()), AppliedPositions.NONE, e -> {}, Topology.Options.oneShot())) {
      assertThatThrownBy(() -> topology.rejoin("app", "old", RejoinOptions.of(other.dataDir())))
          .isInstanceOf(SetupException.class)
          .hasMessageContaining(other.dataDir() + " belongs to another cluster (system identifier ")
          .hasMessageContaining("than the master primary (")
          .hasMessageContaining("nothing was stopped or changed");
    }
    assertUntouched(other);
  }
}
