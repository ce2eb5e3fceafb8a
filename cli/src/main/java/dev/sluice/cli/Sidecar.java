package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.apply.ApplyEngine;
import dev.sluice.apply.ApplyEvent;
import dev.sluice.apply.RuleStatus;
import dev.sluice.capture.Capture;
import dev.sluice.capture.CaptureEvent;
import dev.sluice.capture.CaptureStatus;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalStats;
import dev.sluice.monitor.ActivityFeed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running sidecar, wired from a configuration: the journal, capture into it, every rule applied
 * from it, and journal retention (which keeps what a rule still needs). The one place where the
 * modules are put together.
 *
 * <p>Thread-safe; {@link #close()} stops everything in order: capture first (its last batch is
 * journaled and its position stored), then the rules (each after its current batch).
 */
final class Sidecar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);
  private static final Duration RETENTION_INTERVAL = Duration.ofMinutes(10);

  private final SluiceConfig config;
  private final Journal journal;
  private final Capture capture;
  private final ApplyEngine rules;
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;
  // monitor (issue 5): dashboard, API, metrics and the state file
  private volatile MonitorWiring monitor;

  private Sidecar(
      SluiceConfig config,
      Journal journal,
      Capture capture,
      ApplyEngine rules,
      ScheduledExecutorService maintenance) {
    this.config = config;
    this.journal = journal;
    this.capture = capture;
    this.rules = rules;
    this.maintenance = maintenance;
  }

  /**
   * Opens the journal, starts capture, then every rule.
   *
   * @param captureEvents receives capture's activity events (on capture's threads)
   * @param ruleEvents receives the rules' activity events (on the rules' threads)
   */
  static Sidecar start(
      SluiceConfig config,
      MetricRegistry metrics,
      Consumer<CaptureEvent> captureEvents,
      Consumer<ApplyEvent> ruleEvents) {
    Journal journal = Journal.open(config.journal());
    ActivityFeed feed = new ActivityFeed(); // monitor (issue 5)
    Consumer<CaptureEvent> listener =
        captureEvents.andThen(event -> feed.publish(MonitorWiring.activity(event)));
    Capture capture;
    try {
      capture =
          Capture.start(
              config.source(),
              Capture.Options.of(journal)
                  .withMetrics(metrics)
                  .withListener(listener)
                  .withStatusInterval(config.monitor().poll()));
    } catch (RuntimeException e) {
      journal.close();
      throw e;
    }
    ApplyEngine rules =
        ApplyEngine.start(config, journal, () -> capture.status().lastLsn(), ruleEvents);
    ScheduledExecutorService maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-maintenance");
              thread.setDaemon(true);
              return thread;
            });
    Sidecar sidecar = new Sidecar(config, journal, capture, rules, maintenance);
    try { // monitor (issue 5)
      sidecar.monitor = MonitorWiring.start(config, metrics, feed, capture::status, journal::stats);
    } catch (RuntimeException e) {
      sidecar.close();
      throw e;
    }
    maintenance.scheduleWithFixedDelay(
        sidecar::enforceRetention, 0, RETENTION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return sidecar;
  }

  private void enforceRetention() {
    try {
      journal.enforceRetention(
          Instant.now(), config.journal().retention(), rules.oldestNeededPosition(journal));
    } catch (RuntimeException e) {
      LOG.warn("journal retention failed: {}", e.getMessage());
    }
  }

  /** Completes exceptionally when capture fails; normally when the sidecar is closed. */
  CompletableFuture<Void> failure() {
    return capture.completion();
  }

  SluiceConfig config() {
    return config;
  }

  Journal journal() {
    return journal;
  }

  CaptureStatus captureStatus() {
    return capture.status();
  }

  JournalStats journalStats() {
    return journal.stats();
  }

  List<RuleStatus> ruleStatus() {
    return rules.status();
  }

  /** The dashboard's address (monitor, issue 5). */
  java.net.URI monitorUri() {
    return monitor.uri();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    maintenance.shutdownNow();
    try {
      capture.close();
    } finally {
      try {
        rules.close();
      } finally {
        try {
          if (monitor != null) {
            monitor.close(); // last state file write: capture and rules stopped
          }
        } finally {
          journal.close();
        }
      }
    }
  }
}
