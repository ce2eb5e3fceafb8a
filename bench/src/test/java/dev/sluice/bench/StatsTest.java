package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void anOddCountHasItsMiddleSampleAsMedianWhateverTheOrder() {
    Stats s = Stats.of(List.of(30.0, 10.0, 20.0));
    assertThat(s.median()).isEqualTo(20.0);
    assertThat(s.min()).isEqualTo(10.0);
    assertThat(s.max()).isEqualTo(30.0);
    assertThat(s.count()).isEqualTo(3);
  }

  @Test
  void anEvenCountHasTheMeanOfItsTwoMiddleSamplesAsMedian() {
    assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
  }

  @Test
  void oneSampleIsItsOwnMedianAndRange() {
    Stats s = Stats.of(List.of(7.5));
    assertThat(List.of(s.median(), s.min(), s.max())).containsOnly(7.5);
  }

  @Test
  void noSamplesOrANonFiniteOneAreRefused() {
    assertThatThrownBy(() -> Stats.of(List.of())).hasMessageContaining("no samples");
    assertThatThrownBy(() -> Stats.of(List.of(1.0, Double.NaN)))
        .hasMessageContaining("not a finite number");
  }

  @Test
  void quantilesUseTheNearestRank() {
    double[] sorted = new double[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(Stats.quantile(sorted, 0.50)).isEqualTo(50);
    assertThat(Stats.quantile(sorted, 0.95)).isEqualTo(95);
    assertThat(Stats.quantile(sorted, 0.99)).isEqualTo(99);
    assertThat(Stats.quantile(sorted, 1.0)).isEqualTo(100);
    assertThat(Stats.quantile(new double[] {3}, 0.99)).isEqualTo(3);
  }

  @Test
  void aRateRatioIsSluiceOverBaselineAndATimeRatioBaselineOverSluice() {
    Measurement fastRate = new Measurement("capture", "sluice", "rows/s", true, List.of(50.0), "");
    Measurement baseRate = new Measurement("capture", "other", "rows/s", true, List.of(100.0), "");
    assertThat(new Comparison("capture", "rows/s", fastRate, baseRate).ratio()).isEqualTo(0.5);
    Measurement sluiceTime = new Measurement("e2e", "sluice", "seconds", false, List.of(2.0), "");
    Measurement baseTime = new Measurement("e2e", "native", "seconds", false, List.of(3.0), "");
    assertThat(new Comparison("e2e", "seconds", sluiceTime, baseTime).ratio()).isEqualTo(1.5);
  }
}
