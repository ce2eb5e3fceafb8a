package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Secret;
import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.testkit.SilentServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceConnectTimeoutTest {
  @Test
  void aSourceThatAcceptsAndNeverAnswersFailsWithinItsConnectTimeoutNamingTheSource() {
    try (SilentServer silent = SilentServer.start()) {
      SourceConfig source =
          new SourceConfig(
              "jdbc:postgresql://127.0.0.1:" + silent.port() + "/app",
              "sluice",
              Secret.of("pw-never-shown"),
              "sluice",
              "sluice",
              List.of(),
              SnapshotMode.INITIAL,
              Duration.ofSeconds(10),
              Duration.ofSeconds(1));
      long started = System.nanoTime();
      assertThatThrownBy(() -> SourceConnection.open(source))
          .isInstanceOf(CaptureException.class)
          .hasMessageStartingWith("cannot reach the source at 127.0.0.1:" + silent.port())
          .hasMessageNotContaining("pw-never-shown");
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(millis).isBetween(900L, 5_000L);
      assertThat(silent.accepted()).isPositive();
    }
  }
}
