package dev.sluice.monitor.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Timer;
import dev.sluice.monitor.CaptureView;
import dev.sluice.monitor.JournalView;
import dev.sluice.monitor.MetricNames;
import dev.sluice.monitor.NodeView;
import dev.sluice.monitor.ReplicaGroupView;
import dev.sluice.monitor.RuleView;
import dev.sluice.monitor.Snapshot;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /metrics} body: the metric registry, named as {@link MetricNames} describes, plus the
 * figures of the snapshot under their own families, in the Prometheus text format (written by the
 * Prometheus client library's writer). A family the registry has replaces the snapshot's family of
 * the same name.
 *
 * <p>Thread-safe.
 */
public final class PrometheusExposition {
  /** The content type of the body. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private static final Logger LOG = LoggerFactory.getLogger(PrometheusExposition.class);
  private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};

  private final MetricRegistry registry;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public PrometheusExposition(MetricRegistry registry) {
    this.registry = registry;
  }

  /** The text of a scrape. */
  public byte[] scrape(Snapshot snapshot) {
    Map<String, Family> families = new LinkedHashMap<>();
    registry.getMetrics().forEach((name, metric) -> addRegistryMetric(families, name, metric));
    Map<String, Family> fromSnapshot = new LinkedHashMap<>();
    addSnapshot(fromSnapshot, snapshot);
    fromSnapshot.forEach(families::putIfAbsent);
    List<MetricSnapshot> snapshots = new ArrayList<>();
    for (Family family : families.values()) {
      try {
        snapshots.add(family.build());
      } catch (IllegalArgumentException e) {
        reportOnce(family.name, "metric family " + family.name + " left out: " + e.getMessage());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, new MetricSnapshots(snapshots));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private void addRegistryMetric(Map<String, Family> families, String name, Metric metric) {
    MetricNames.Parsed parsed;
    try {
      parsed = MetricNames.parse(name);
    } catch (IllegalArgumentException e) {
      reportOnce(name, "metric " + name + " left out: " + e.getMessage());
      return;
    }
    Labels labels =
        Labels.of(List.copyOf(parsed.labels().keySet()), List.copyOf(parsed.labels().values()));
    int brace = name.indexOf('{');
    String help = kind(metric) + " " + (brace < 0 ? name : name.substring(0, brace));
    if (metric instanceof Counter counter) {
      family(families, parsed.family(), Type.COUNTER, help, name)
          .add(new Point(labels, counter.getCount(), null));
    } else if (metric instanceof Meter meter) {
      family(families, parsed.family(), Type.COUNTER, help, name)
          .add(new Point(labels, meter.getCount(), null));
    } else if (metric instanceof Gauge<?> gauge) {
      Object value = gauge.getValue();
      double number;
      if (value instanceof Number n) {
        number = n.doubleValue();
      } else if (value instanceof Boolean b) {
        number = b ? 1 : 0;
      } else {
        return;
      }
      family(families, parsed.family(), Type.GAUGE, help, name)
          .add(new Point(labels, number, null));
    } else if (metric instanceof Timer timer) {
      String family =
          parsed.family().endsWith("_seconds") ? parsed.family() : parsed.family() + "_seconds";
      family(families, family, Type.SUMMARY, help, name)
          .add(summary(labels, timer, timer.getCount(), 1.0 / TimeUnit.SECONDS.toNanos(1)));
    } else if (metric instanceof Histogram histogram) {
      family(families, parsed.family(), Type.SUMMARY, help, name)
          .add(summary(labels, histogram, histogram.getCount(), 1.0));
    }
  }

  private static String kind(Metric metric) {
    if (metric instanceof Meter) {
      return "meter";
    } else if (metric instanceof Counter) {
      return "counter";
    } else if (metric instanceof Timer) {
      return "timer";
    } else if (metric instanceof Histogram) {
      return "histogram";
    }
    return "gauge";
  }

  private static Point summary(Labels labels, Sampling sampling, long count, double factor) {
    com.codahale.metrics.Snapshot values = sampling.getSnapshot();
    Quantiles.Builder quantiles = Quantiles.builder();
    for (double q : QUANTILES) {
      quantiles.quantile(new Quantile(q, values.getValue(q) * factor));
    }
    return new Point(labels, count, quantiles.build());
  }

  private Family family(
      Map<String, Family> families, String name, Type type, String help, String registryName) {
    String prometheusName = PrometheusNaming.sanitizeMetricName(name);
    Family family = families.computeIfAbsent(prometheusName, n -> new Family(n, type, help));
    if (family.type != type) {
      reportOnce(
          registryName,
          "metric "
              + registryName
              + " left out: family "
              + prometheusName
              + " is already a "
              + family.type.name().toLowerCase());
      return new Family(prometheusName, type, help); // collects nothing that is written
    }
    return family;
  }

  private void reportOnce(String key, String message) {
    if (reported.add(key)) {
      LOG.warn(message);
    }
  }

  // ---- the snapshot's figures

  private static void addSnapshot(Map<String, Family> families, Snapshot snapshot) {
    gauge(families, "health.ok", "1 when capture and every rule work, else 0")
        .add(point(snapshot.health().ok() ? 1 : 0));
    CaptureView capture = snapshot.pipeline().capture();
    gauge(families, "capture.state", "1 for capture's current state")
        .add(new Point(Labels.of("state", capture.state()), 1, null));
    counter(families, "capture.events", "changes journaled since start")
        .add(point(capture.eventsTotal()));
    counter(families, "capture.duplicates.dropped", "re-delivered changes dropped since start")
        .add(point(capture.duplicatesDropped()));
    gauge(families, "capture.tables", "captured tables").add(point(capture.tables()));
    if (capture.walRetainedBytes() >= 0) {
      gauge(families, "capture.wal.retained.bytes", "WAL the source keeps for the slot")
          .add(point(capture.walRetainedBytes()));
    }
    JournalView journal = snapshot.pipeline().journal();
    gauge(families, "journal.size.bytes", "the journal's size on disk")
        .add(point(journal.sizeBytes()));
    gauge(families, "journal.days", "daily files in the journal").add(point(journal.days()));
    for (RuleView rule : snapshot.rules()) {
      Labels labels = Labels.of("rule", rule.name());
      gauge(families, "rule.lag.seconds", "age of the oldest change not applied yet")
          .add(new Point(labels, rule.lagSeconds(), null));
      gauge(families, "rule.lag.bytes", "WAL bytes between journaled and applied")
          .add(new Point(labels, rule.lagBytes(), null));
      gauge(families, "rule.lag.changes", "journal entries not applied yet")
          .add(new Point(labels, rule.lagChanges(), null));
      gauge(families, "rule.state", "1 for each rule's current state")
          .add(new Point(Labels.of("rule", rule.name(), "state", rule.state()), 1, null));
      counter(families, "rule.dead.letters", "changes written to the dead-letter file since start")
          .add(new Point(labels, rule.deadLetters(), null));
      counter(families, "rule.missing.rows", "updates that found no row on the target since start")
          .add(new Point(labels, rule.missingRows(), null));
      rule.conflicts()
          .forEach(
              (table, count) ->
                  counter(
                          families,
                          "rule.conflicts",
                          "changes a bidirectional rule dropped as conflicts (last update wins)"
                              + " since start, by table")
                      .add(new Point(Labels.of("rule", rule.name(), "table", table), count, null)));
      rule.totalsByOp()
          .forEach(
              (op, total) ->
                  counter(families, "rule.applied", "changes applied since start, by operation")
                      .add(new Point(Labels.of("op", op, "rule", rule.name()), total, null)));
    }
    for (ReplicaGroupView group : snapshot.replicas()) {
      for (NodeView node : group.nodes()) {
        Labels labels = Labels.of("group", group.group(), "node", node.name());
        if (node.lagBytes() >= 0) {
          gauge(families, "replica.lag.bytes", "how far behind its master, in WAL bytes")
              .add(new Point(labels, node.lagBytes(), null));
        }
        if (node.lagMillis() >= 0) {
          gauge(families, "replica.lag.seconds", "how far behind its master, in time")
              .add(new Point(labels, node.lagMillis() / 1000.0, null));
        }
        gauge(families, "replica.up", "1 unless the node is down")
            .add(new Point(labels, node.state().equals("down") ? 0 : 1, null));
        gauge(families, "replica.master", "1 for the master of its group")
            .add(new Point(labels, node.role().equals("master") ? 1 : 0, null));
        gauge(families, "replica.fresh", "1 for a slave that gets reads")
            .add(new Point(labels, node.fresh() ? 1 : 0, null));
        gauge(families, "replica.pool.active", "routing pool connections in use")
            .add(new Point(labels, node.poolActive(), null));
        gauge(families, "replica.pool.max", "routing pool size")
            .add(new Point(labels, node.poolMax(), null));
      }
    }
  }

  private static Point point(double value) {
    return new Point(Labels.EMPTY, value, null);
  }

  private static Family gauge(Map<String, Family> families, String name, String help) {
    String family = PrometheusNaming.sanitizeMetricName(MetricNames.prometheusName(name));
    return families.computeIfAbsent(family, n -> new Family(n, Type.GAUGE, help));
  }

  private static Family counter(Map<String, Family> families, String name, String help) {
    String family = PrometheusNaming.sanitizeMetricName(MetricNames.prometheusName(name));
    return families.computeIfAbsent(family, n -> new Family(n, Type.COUNTER, help));
  }

  private enum Type {
    COUNTER,
    GAUGE,
    SUMMARY
  }

  /** A data point: a value (a count for summaries), and quantiles for summaries. */
  private record Point(Labels labels, double value, Quantiles quantiles) {}

  private static final class Family {
    final String name;
    final Type type;
    final String help;
    final List<Point> points = new ArrayList<>();

    Family(String name, Type type, String help) {
      this.name = name;
      this.type = type;
      this.help = help;
    }

    Family add(Point point) {
      points.add(point);
      return this;
    }

    MetricSnapshot build() {
      return switch (type) {
        case COUNTER -> {
          CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
          points.forEach(
              p ->
                  builder.dataPoint(
                      CounterSnapshot.CounterDataPointSnapshot.builder()
                          .labels(p.labels())
                          .value(p.value())
                          .build()));
          yield builder.build();
        }
        case GAUGE -> {
          GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
          points.forEach(
              p ->
                  builder.dataPoint(
                      GaugeSnapshot.GaugeDataPointSnapshot.builder()
                          .labels(p.labels())
                          .value(p.value())
                          .build()));
          yield builder.build();
        }
        case SUMMARY -> {
          SummarySnapshot.Builder builder = SummarySnapshot.builder().name(name).help(help);
          points.forEach(
              p ->
                  builder.dataPoint(
                      SummarySnapshot.SummaryDataPointSnapshot.builder()
                          .labels(p.labels())
                          .count((long) p.value())
                          .quantiles(p.quantiles())
                          .build()));
          yield builder.build();
        }
      };
    }
  }
}
