package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.apply.internal.LastUpdateWins.Decision;
import dev.sluice.journal.Op;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastUpdateWinsTest {
  private static final long T = 1_764_950_400_000_000L; // 2025-12-05T16:00:00Z

  private static Optional<Target.RowWrite> localRow(long micros) {
    return Optional.of(new Target.RowWrite(micros, false));
  }

  private static Decision decide(Op op, Optional<Target.RowWrite> row, long in, boolean first) {
    return LastUpdateWins.decide(op, row, in, first);
  }

  @Test
  void aLaterIncomingUpdateOverwritesARowWrittenHereEarlierWithoutAConflict() {
    assertThat(decide(Op.UPDATE, localRow(T), T + 1, false)).isEqualTo(new Decision(true, null));
  }

  @Test
  void anEarlierIncomingUpdateIsDroppedAsAConflictBecauseTheRowChangedHereLater() {
    Decision d = decide(Op.UPDATE, localRow(T), T - 1, true);
    assertThat(d.apply()).isFalse();
    assertThat(d.conflict()).isEqualTo("the row changed on this side later");
  }

  @Test
  void equalCommitTimesGoToTheNodeWhoseNameSortsFirstOnBothSides() {
    // on the side of node b, a change of node a arrives: a sorts first, it wins
    assertThat(decide(Op.UPDATE, localRow(T), T, true).apply()).isTrue();
    // on the side of node a, the change of node b arrives: it loses, the same winner
    Decision atA = decide(Op.UPDATE, localRow(T), T, false);
    assertThat(atA.apply()).isFalse();
    assertThat(atA.conflict()).contains("sorts first");
  }

  @Test
  void anInsertMeetingARowOfTheSameKeyIsDecidedLikeAnUpdate() {
    assertThat(decide(Op.INSERT, localRow(T), T + 5, false).apply()).isTrue();
    assertThat(decide(Op.INSERT, localRow(T + 5), T, true).apply()).isFalse();
    assertThat(decide(Op.INSERT, Optional.empty(), T, false)).isEqualTo(new Decision(true, null));
  }

  @Test
  void anUpdateOfARowDeletedHereIsDroppedSoTheDeleteWins() {
    Decision d = decide(Op.UPDATE, Optional.empty(), Long.MAX_VALUE, true);
    assertThat(d.apply()).isFalse();
    assertThat(d.conflict()).contains("the delete wins");
  }

  @Test
  void aDeleteAlwaysAppliesEvenOverANewerRow() {
    assertThat(decide(Op.DELETE, localRow(T + 1_000_000), T, false))
        .isEqualTo(new Decision(true, null));
  }

  @Test
  void aRowLastWrittenByTheSamePeerOrOfUnknownAgeIsOverwritten() {
    assertThat(decide(Op.UPDATE, Optional.of(new Target.RowWrite(T + 9, true)), T, false).apply())
        .isTrue();
    assertThat(decide(Op.UPDATE, Optional.of(new Target.RowWrite(0, false)), 1, false).apply())
        .isTrue();
  }

  @Test
  void snapshotRowsAndTruncatesAreNotConflicts() {
    assertThat(decide(Op.READ, localRow(T + 1), T, false).apply()).isTrue();
    assertThat(decide(Op.TRUNCATE, Optional.empty(), T, false).apply()).isTrue();
  }
}
