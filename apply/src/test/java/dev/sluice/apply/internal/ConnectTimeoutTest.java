package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.apply.TargetException;
import dev.sluice.config.Dialect;
import dev.sluice.config.Secret;
import dev.sluice.config.TargetConfig;
import dev.sluice.testkit.SilentServer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A target whose server accepts connections and never answers fails within its {@code
 * connectTimeout}, with a message naming the target, instead of hanging the rule forever.
 */
class ConnectTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** The timeout plus what the JVM and the driver need around it on a busy machine. */
  private static final long WITHIN_MILLIS = TIMEOUT.toMillis() + 4_000;

  private static SilentServer silent;

  @BeforeAll
  static void start() {
    silent = SilentServer.start();
  }

  @AfterAll
  static void stop() {
    silent.close();
  }

  private static TargetConfig target(String name, String url) {
    return new TargetConfig(
        name,
        url,
        "sluice",
        Secret.of("pw-never-shown"),
        Dialect.ofUrl(url).orElseThrow(),
        TIMEOUT);
  }

  @Test
  void aPostgresTargetThatNeverAnswersFailsWithinItsTimeoutNamingTheTarget() {
    TargetConfig config =
        target("silent \"pg\"", "jdbc:postgresql://127.0.0.1:" + silent.port() + "/copy");
    long started = System.nanoTime();
    assertThatThrownBy(() -> Targets.connect(config))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining(
            "cannot connect to target silent \"pg\" (jdbc:postgresql://127.0.0.1:")
        .hasMessageNotContaining("pw-never-shown");
    assertThat(elapsedMillis(started)).isBetween(TIMEOUT.toMillis() - 100, WITHIN_MILLIS);
    assertThat(silent.accepted()).isPositive();
  }

  @Test
  void aMariaDbTargetThatNeverAnswersFailsWithinItsTimeoutNamingTheTarget() {
    TargetConfig config =
        target("silent-maria", "jdbc:mariadb://127.0.0.1:" + silent.port() + "/shop");
    long started = System.nanoTime();
    assertThatThrownBy(() -> Targets.connect(config))
        .isInstanceOf(TargetException.class)
        .hasMessageContaining("cannot connect to target silent-maria")
        .hasMessageNotContaining("pw-never-shown");
    assertThat(elapsedMillis(started)).isBetween(TIMEOUT.toMillis() - 100, WITHIN_MILLIS);
  }

  @Test
  void aMongoTargetThatNeverAnswersFailsItsFirstUseWithinItsTimeoutNamingTheTarget()
      throws TargetException {
    TargetConfig config = target("silent-mongo", "mongodb://127.0.0.1:" + silent.port() + "/docs");
    Target target = Targets.connect(config);
    try {
      long started = System.nanoTime();
      assertThatThrownBy(() -> target.checkpoint("a-rule"))
          .isInstanceOf(TargetException.class)
          .hasMessageContaining("silent-mongo")
          .hasMessageNotContaining("pw-never-shown");
      assertThat(elapsedMillis(started)).isLessThan(WITHIN_MILLIS);
    } finally {
      target.close();
    }
  }

  @Test
  void withoutASettingTheTimeoutIsTenSeconds() {
    assertThat(
            new TargetConfig("t", "jdbc:sqlite::memory:", null, null, Dialect.SQLITE)
                .connectTimeout())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(Optional.of(TargetConfig.DEFAULT_CONNECT_TIMEOUT)).contains(Duration.ofSeconds(10));
  }

  private static long elapsedMillis(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
