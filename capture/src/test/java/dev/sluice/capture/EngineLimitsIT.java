package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.SnapshotMode;
import dev.sluice.testkit.PostgresExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The two values the engine cannot read when they are streamed (snapshots read them exactly):
 * capture stops, neither looping nor journaling something else, and says which value, where, and
 * what to do.
 */
class EngineLimitsIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("limits");

  @Test
  void aStreamedTimetzWhoseOffsetHasSecondsStopsCaptureNamingItAndItsLsn() throws Exception {
    assertStopsOn("timetz", "'10:00:00+05:30:15'", "the time '10:00:00+05:30:15'");
  }

  @Test
  void aStreamedIntervalBeyondTheEnginesHoursStopsCaptureNamingItsLsn() throws Exception {
    assertStopsOn("interval", "'2147483648 hours'", "an interval (its time part is beyond");
  }

  private static void assertStopsOn(String type, String value, String named) throws Exception {
    try (CaptureFixture f = new CaptureFixture(SOURCE.cluster())) {
      f.sql("CREATE TABLE t(id int PRIMARY KEY, v " + type + ")");
      f.start(f.source(SnapshotMode.NEVER, "t"));
      f.sql("INSERT INTO t VALUES (1, " + value + ")");

      assertThatThrownBy(() -> f.capture.completion().get(60, TimeUnit.SECONDS))
          .hasMessageContaining("capture stopped: the engine cannot read " + named)
          .hasMessageContaining("streamed at LSN ")
          .hasMessageContaining("advance the slot past that LSN");
      assertThat(f.capture.status().lastError()).contains(named);
      assertThat(f.changes()).as("nothing else is journaled for it").isEmpty();
    }
  }
}
