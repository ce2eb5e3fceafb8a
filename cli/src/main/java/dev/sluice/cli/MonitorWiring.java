package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.capture.CaptureEvent;
import dev.sluice.capture.CaptureStatus;
import dev.sluice.config.Durations;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalStats;
import dev.sluice.journal.Lsn;
import dev.sluice.monitor.ActivityEvent;
import dev.sluice.monitor.ActivityFeed;
import dev.sluice.monitor.CaptureView;
import dev.sluice.monitor.JournalView;
import dev.sluice.monitor.MonitorServer;
import dev.sluice.monitor.PipelineView;
import dev.sluice.monitor.Snapshot;
import dev.sluice.monitor.StateFile;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor of a running sidecar: adapts the components' statuses into the monitor's view model,
 * serves the dashboard and API ({@code monitor.host:monitor.port}), and writes the state file
 * ({@code state:}) every {@code monitor.poll} and once more when closed.
 *
 * <p>Rules and replica groups are empty until the apply and topology modules report their status.
 */
final class MonitorWiring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorWiring.class);

  /** How many recent events the state file keeps. */
  static final int STATE_EVENTS = 200;

  private final SluiceConfig config;
  private final ActivityFeed feed;
  private final Supplier<CaptureStatus> capture;
  private final Supplier<JournalStats> journal;
  private final MonitorServer server;
  private final ScheduledExecutorService writer;
  private String lastWriteProblem;

  private MonitorWiring(
      SluiceConfig config,
      ActivityFeed feed,
      Supplier<CaptureStatus> capture,
      Supplier<JournalStats> journal,
      MetricRegistry metrics) {
    this.config = config;
    this.feed = feed;
    this.capture = capture;
    this.journal = journal;
    this.server = MonitorServer.start(config.monitor(), this::snapshot, feed, metrics);
    this.writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-state-file");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts the server and the state file writer.
   *
   * @throws dev.sluice.config.SetupException when the monitor's address cannot be bound
   */
  static MonitorWiring start(
      SluiceConfig config,
      MetricRegistry metrics,
      ActivityFeed feed,
      Supplier<CaptureStatus> capture,
      Supplier<JournalStats> journal) {
    MonitorWiring wiring = new MonitorWiring(config, feed, capture, journal, metrics);
    long poll = config.monitor().poll().toMillis();
    wiring.writer.scheduleWithFixedDelay(wiring::writeState, 0, poll, TimeUnit.MILLISECONDS);
    LOG.info("dashboard and API on {}; state file {}", wiring.uri(), config.state());
    return wiring;
  }

  /** The dashboard's address. */
  URI uri() {
    return server.uri();
  }

  /** The figures as of now. */
  Snapshot snapshot() {
    return snapshot(config, capture.get(), journal.get(), Instant.now());
  }

  /** The view of capture and journal statuses (rules and replicas: none reported yet). */
  static Snapshot snapshot(
      SluiceConfig config, CaptureStatus capture, JournalStats journal, Instant now) {
    return Snapshot.of(
        now,
        config.monitor().poll(),
        new PipelineView(captureView(capture), journalView(config, journal)),
        List.of(),
        List.of());
  }

  static CaptureView captureView(CaptureStatus status) {
    return new CaptureView(
        status.state().name().toLowerCase(Locale.ROOT),
        status.slot(),
        status.publication(),
        status.tables(),
        status.confirmedFlushLsn(),
        status.lastLsn() == 0 ? null : Lsn.format(status.lastLsn()),
        status.walRetainedBytes(),
        status.eventsPerSecond(),
        status.events(),
        status.duplicatesDropped(),
        status.startedAt(),
        status.lastCommitTime(),
        status.lastError());
  }

  static JournalView journalView(SluiceConfig config, JournalStats stats) {
    return new JournalView(
        config.journal().dir().toString(),
        position(stats.firstPosition()),
        position(stats.lastPosition()),
        stats.sizeBytes(),
        stats.days(),
        Durations.format(config.journal().retention()));
  }

  private static String position(long position) {
    return position == JournalPosition.NONE ? null : JournalPosition.format(position);
  }

  /** A capture event as an activity event (its subject is {@code capture}). */
  static ActivityEvent activity(CaptureEvent event) {
    return new ActivityEvent(event.time(), event.type(), "capture", event.message());
  }

  private void writeState() {
    try {
      StateFile.write(config.state(), snapshot(), feed.last(STATE_EVENTS));
      lastWriteProblem = null;
    } catch (RuntimeException e) {
      if (!String.valueOf(e.getMessage()).equals(lastWriteProblem)) {
        lastWriteProblem = String.valueOf(e.getMessage());
        LOG.warn("the state file was not written: {}", e.getMessage());
      }
    }
  }

  /** Stops serving, then writes the state file a last time (statuses as they are now). */
  @Override
  public void close() {
    server.close();
    writer.shutdownNow();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writeState();
  }
}
