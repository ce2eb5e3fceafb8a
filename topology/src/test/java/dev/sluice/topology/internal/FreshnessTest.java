package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.topology.NodeState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FreshnessTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void aSlaveWithinToleranceAtTheFirstProbeIsUp() {
    assertThat(new Freshness(Duration.ofSeconds(5)).measured(true, T0)).isEqualTo(NodeState.UP);
  }

  @Test
  void aSlaveOverToleranceIsStaleAtOnce() {
    Freshness f = new Freshness(Duration.ofSeconds(5));
    f.measured(true, at(0));

    assertThat(f.measured(false, at(1))).isEqualTo(NodeState.STALE);
  }

  @Test
  void aStaleSlaveBackUnderToleranceIsCatchingUpUntilTheHysteresisHasPassed() {
    Freshness f = new Freshness(Duration.ofSeconds(5));
    f.measured(false, at(0));

    assertThat(f.measured(true, at(1))).isEqualTo(NodeState.CATCHING_UP);
    assertThat(f.measured(true, at(4))).isEqualTo(NodeState.CATCHING_UP);
    assertThat(f.measured(true, at(6))).isEqualTo(NodeState.UP);
  }

  @Test
  void goingOverToleranceWhileCatchingUpRestartsTheHysteresis() {
    Freshness f = new Freshness(Duration.ofSeconds(5));
    f.measured(false, at(0));
    f.measured(true, at(1));
    f.measured(false, at(4));

    assertThat(f.measured(true, at(5))).isEqualTo(NodeState.CATCHING_UP);
    assertThat(f.measured(true, at(9))).isEqualTo(NodeState.CATCHING_UP);
    assertThat(f.measured(true, at(10))).isEqualTo(NodeState.UP);
  }

  @Test
  void aSlaveBackFromDownGoesThroughCatchingUp() {
    Freshness f = new Freshness(Duration.ofSeconds(2));
    f.measured(true, at(0));
    assertThat(f.unreachable()).isEqualTo(NodeState.DOWN);

    assertThat(f.measured(true, at(1))).isEqualTo(NodeState.CATCHING_UP);
    assertThat(f.measured(true, at(3))).isEqualTo(NodeState.UP);
  }

  @Test
  void withoutHysteresisASlaveIsUpAsSoonAsItIsBackUnderTolerance() {
    Freshness f = new Freshness(Duration.ZERO);
    f.measured(false, at(0));

    assertThat(f.measured(true, at(1))).isEqualTo(NodeState.UP);
  }
}
