package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {
  @Test
  void anLsnIsItsHighWordShiftedAboveItsLowWord() {
    assertThat(Lsn.parse("0/16B3748")).isEqualTo(0x16B3748L);
    assertThat(Lsn.parse("16/B374D848")).isEqualTo((0x16L << 32) | 0xB374D848L);
    assertThat(Lsn.format(Lsn.parse("16/B374D848"))).isEqualTo("16/B374D848");
  }

  @Test
  void textThatIsNoLsnIsRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> Lsn.parse("12345")).hasMessageContaining("0/16B3748");
  }

  @Test
  void sizesAndTimesReadLikePeopleWriteThem() {
    assertThat(Lsn.bytes(512)).isEqualTo("512 B");
    assertThat(Lsn.bytes(3 * 1024 * 1024 + 200_000)).isEqualTo("3.2 MB");
    assertThat(Lsn.millis(250)).isEqualTo("250 ms");
    assertThat(Lsn.millis(7_240)).isEqualTo("7.2 s");
    assertThat(Lsn.bytes(-1)).isEqualTo("unknown");
  }
}
