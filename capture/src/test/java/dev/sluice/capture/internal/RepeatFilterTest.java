package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepeatFilterTest {
  @Test
  void aTransactionDeliveredAgainFromItsStartIsRecognisedChangeByChange() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(700, 100, "t c")).isFalse();
    assertThat(filter.isRepeat(700, 120, "t u")).isFalse();
    assertThat(filter.isRepeat(701, 200, "t c")).isFalse();

    assertThat(filter.isRepeat(700, 100, "t c")).isTrue();
    assertThat(filter.isRepeat(700, 120, "t u")).isTrue();
    assertThat(filter.isRepeat(701, 200, "t c")).isTrue();
    assertThat(filter.isRepeat(701, 210, "t c")).as("the rest of 701 is new").isFalse();
    assertThat(filter.isRepeat(702, 150, "t c")).as("a new transaction").isFalse();
  }

  @Test
  void theLastChangeDeliveredAgainRightAfterItselfIsARepeat() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(9, 50, "t c")).isFalse();
    assertThat(filter.isRepeat(9, 50, "t c")).isTrue();
    assertThat(filter.isRepeat(9, 60, "t u")).isFalse();
  }

  @Test
  void rowsOfOneWalRecordShareItsLsnAndAreNoRepeats() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(9, 50, "t c 1")).isFalse();
    assertThat(filter.isRepeat(9, 50, "t c 2")).isFalse();
    assertThat(filter.isRepeat(9, 50, "t c 3")).isFalse();

    assertThat(filter.isRepeat(9, 50, "t c 2")).isTrue();
  }

  @Test
  void aTruncateOfSeveralTablesSharesOneLsnAndIsNoRepeat() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(9, 50, "a t")).isFalse();
    assertThat(filter.isRepeat(9, 50, "b t")).isFalse();

    assertThat(filter.isRepeat(9, 50, "a t")).isTrue();
    assertThat(filter.isRepeat(9, 50, "b t")).isTrue();
    assertThat(filter.isRepeat(9, 50, "c t")).isFalse();
  }

  @Test
  void aChangeWithoutTransactionIdIsNeverARepeat() {
    RepeatFilter filter = new RepeatFilter();
    assertThat(filter.isRepeat(0, 10, "t c")).isFalse();
    assertThat(filter.isRepeat(0, 10, "t c")).isFalse();
  }

  @Test
  void onlyTheLatestTransactionsAreRemembered() {
    RepeatFilter filter = new RepeatFilter();
    for (long tx = 1; tx <= RepeatFilter.CAPACITY + 1; tx++) {
      assertThat(filter.isRepeat(tx, tx * 10, "t c")).isFalse();
    }
    assertThat(filter.isRepeat(RepeatFilter.CAPACITY + 1, 10L * (RepeatFilter.CAPACITY + 1), "t c"))
        .isTrue();
    assertThat(filter.isRepeat(2, 20, "t c")).isTrue();
    assertThat(filter.isRepeat(1, 10, "t c")).as("forgotten").isFalse();
  }
}
