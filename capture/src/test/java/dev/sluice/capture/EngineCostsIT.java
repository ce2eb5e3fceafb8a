package dev.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SnapshotMode;
import dev.sluice.testkit.PostgresExtension;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's per-change costs that capture removes through the engine's own plug-in points stay
 * removed. These tests fail when an engine upgrade silently brings a cost back (capture would still
 * be right, only slower).
 */
class EngineCostsIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("engine-costs");

  @Test
  void theEngineMetricsCountChangesWithoutDescribingThem() throws Exception {
    try (CaptureFixture f = new CaptureFixture(SOURCE.cluster())) {
      f.sql("CREATE TABLE t(id int PRIMARY KEY, note text)");
      f.start(f.source(SnapshotMode.INITIAL, "public.t"));
      f.sql("INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 50) g");
      f.awaitCount(50);

      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      Set<ObjectName> names =
          server.queryNames(
              new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,*"), null);
      assertThat(names).as("the engine's streaming metrics are registered").isNotEmpty();
      for (ObjectName name : names) {
        assertThat((Long) server.getAttribute(name, "TotalNumberOfEventsSeen"))
            .as("%s counts the changes", name)
            .isGreaterThanOrEqualTo(50);
        assertThat(server.getAttribute(name, "LastEvent"))
            .as(
                "%s built a summary of the last change: QuietMetrics no longer replaces the"
                    + " metadata provider of the engine's metrics (did an upgrade move its fields?)",
                name)
            .isNull();
        assertThat((Long) server.getAttribute(name, "MilliSecondsBehindSource"))
            .as("%s measured the lag per change", name)
            .isEqualTo(-1L);
      }
    }
  }
}
