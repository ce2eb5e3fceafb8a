package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepeatFilterTest {
  @Test
  void aTransactionDeliveredAgainFromItsStartIsRecognisedChangeByChange() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(700, 100, 0)).isFalse();
    assertThat(filter.isRepeat(700, 120, 0)).isFalse();
    assertThat(filter.isRepeat(701, 200, 0)).isFalse();

    assertThat(filter.isRepeat(700, 100, 0)).isTrue();
    assertThat(filter.isRepeat(700, 120, 0)).isTrue();
    assertThat(filter.isRepeat(701, 200, 0)).isTrue();
    assertThat(filter.isRepeat(701, 210, 0)).as("the rest of 701 is new").isFalse();
    assertThat(filter.isRepeat(702, 150, 0)).as("a new transaction").isFalse();
  }

  @Test
  void changesAtTheSameLsnAreToldApartByTheirOrdinal() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(9, 50, 0)).isFalse();
    assertThat(filter.isRepeat(9, 50, 1)).isFalse();

    assertThat(filter.isRepeat(9, 50, 0)).isTrue();
    assertThat(filter.isRepeat(9, 50, 1)).isTrue();
    assertThat(filter.isRepeat(9, 50, 2)).isFalse();
  }

  @Test
  void aChangeWithoutTransactionIdIsNeverARepeat() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(0, 10, 0)).isFalse();
    assertThat(filter.isRepeat(0, 10, 0)).isFalse();
  }

  @Test
  void onlyTheLatestTransactionsAreRemembered() {
    RepeatFilter filter = new RepeatFilter();
    for (long tx = 1; tx <= RepeatFilter.CAPACITY + 1; tx++) {
      assertThat(filter.isRepeat(tx, tx * 10, 0)).isFalse();
    }
    assertThat(filter.isRepeat(RepeatFilter.CAPACITY + 1, 10 * (RepeatFilter.CAPACITY + 1), 0))
        .isTrue();
    assertThat(filter.isRepeat(2, 20, 0)).isTrue();
    assertThat(filter.isRepeat(1, 10, 0)).as("forgotten").isFalse();
  }
}
