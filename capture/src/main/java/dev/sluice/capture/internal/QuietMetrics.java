package dev.sluice.capture.internal;

import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.spi.schema.DataCollectionId;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the per-change work out of the engine's snapshot and streaming metrics.
 *
 * <p>Why: for every change, Debezium 3.6's metrics ask their {@link EventMetadataProvider} for a
 * "last event" summary ({@code CommonEventMeter.onEvent}: the key and source position written out
 * with a new Jackson {@code ObjectMapper} each time), the source timestamp (handed to a lag
 * sketch), the transaction id and the source position. Sluice reads none of it (it measures its own
 * rates and lag), {@code statistics.metrics.enabled=false} does not turn it off, and it was the
 * largest single cost of the engine's streaming thread: a fifth of its CPU and most of its
 * allocation.
 *
 * <p>How: the metrics keep the provider in final fields (the metrics object's own and those of its
 * meters); after the task started, each is replaced, by reflection, with {@link #NOTHING}, whose
 * answers are all {@code null}, which the meters take as "nothing to record". The fields are found
 * by their type, not their name. If an engine upgrade moves them, capture still runs, only slower,
 * with a warning; {@code QuietMetricsIT} fails then, so the upgrade cannot go unnoticed.
 *
 * <p>What changes for a user: the engine's JMX attributes {@code LastEvent}, {@code
 * MilliSecondsBehindSource}, {@code LastTransactionId} and {@code SourceEventPosition} stay empty;
 * event counts still count.
 */
public final class QuietMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(QuietMetrics.class);

  /** The metadata provider that describes nothing. */
  public static final EventMetadataProvider NOTHING =
      new EventMetadataProvider() {
        @Override
        public Instant getEventTimestamp(
            DataCollectionId source, OffsetContext offset, Object key, Struct value) {
          return null;
        }

        @Override
        public Map<String, String> getEventSourcePosition(
            DataCollectionId source, OffsetContext offset, Object key, Struct value) {
          return null;
        }

        @Override
        public String getTransactionId(
            DataCollectionId source, OffsetContext offset, Object key, Struct value) {
          return null;
        }

        @Override
        public String toSummaryString(
            DataCollectionId source, OffsetContext offset, Object key, Struct value) {
          return null;
        }
      };

  /** The coordinator's fields holding its metrics. */
  private static final String[] METRICS_FIELDS = {"snapshotMetrics", "streamingMetrics"};

  private QuietMetrics() {}

  /**
   * Replaces the metadata provider of the coordinator's snapshot and streaming metrics.
   *
   * @return how many provider fields were replaced (5 with Debezium 3.6: two in the snapshot
   *     metrics, three in the streaming metrics), 0 when the metrics were not found
   */
  public static int install(ChangeEventSourceCoordinator<?, ?> coordinator) {
    int replaced = 0;
    try {
      for (String name : METRICS_FIELDS) {
        Field field = ChangeEventSourceCoordinator.class.getDeclaredField(name);
        field.setAccessible(true);
        Object metrics = field.get(coordinator);
        if (metrics != null) {
          replaced += replaceProviders(metrics, 0);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "cannot turn off the engine's per-change metrics work ({}); capture runs, slower", e);
      return replaced;
    }
    if (replaced < 5) {
      LOG.warn(
          "turned off {} of the engine's 5 per-change metrics providers; capture runs, slower",
          replaced);
    }
    return replaced;
  }

  /** Replaces every provider field of {@code target}, and of the Debezium objects it holds. */
  private static int replaceProviders(Object target, int depth) throws IllegalAccessException {
    int replaced = 0;
    for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
          continue;
        }
        if (field.getType() == EventMetadataProvider.class) {
          field.setAccessible(true);
          field.set(target, NOTHING);
          replaced++;
        } else if (depth == 0
            && field.getType().getName().startsWith("io.debezium.pipeline.meters.")) {
          field.setAccessible(true);
          Object meter = field.get(target);
          if (meter != null) {
            replaced += replaceProviders(meter, depth + 1);
          }
        }
      }
    }
    return replaced;
  }
}
