package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Telling a dropped slot apart from other engine failures. */
class SlotLostTest {
  @Test
  void theEnginesMessageAboutAnOffsetNoLongerOnTheServerMeansTheSlotWasLost() {
    Exception error =
        new RuntimeException(
            "wrapped",
            new IllegalStateException(
                "The connector is trying to read change stream starting at PostgresOffsetContext"
                    + " [...], but this is no longer available on the server. Reconfigure the"
                    + " connector to use a snapshot mode when needed."));

    assertThat(Capture.slotLost("Engine has failed", error)).isTrue();
  }

  @Test
  void aLostConnectionIsNotALostSlot() {
    assertThat(
            Capture.slotLost(
                "Producer failure", new IllegalStateException("Database connection failed")))
        .isFalse();
    assertThat(Capture.slotLost(null, null)).isFalse();
  }
}
