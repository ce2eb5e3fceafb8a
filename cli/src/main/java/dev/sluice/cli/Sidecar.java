package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.apply.ApplyEngine;
import dev.sluice.apply.ApplyEvent;
import dev.sluice.apply.RuleStatus;
import dev.sluice.capture.Capture;
import dev.sluice.capture.CaptureEvent;
import dev.sluice.capture.CaptureStatus;
import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceConnection;
import dev.sluice.config.Masking;
import dev.sluice.config.Secret;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalStats;
import dev.sluice.monitor.ActivityFeed;
import dev.sluice.topology.AppliedPosition;
import dev.sluice.topology.Topology;
import dev.sluice.topology.TopologyEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running sidecar, wired from a configuration: the journal, capture into it, every rule applied
 * from it, the replica topology, journal retention (which keeps what a rule still needs) and the
 * monitor. The one place where the modules are put together.
 *
 * <p>Capture follows the source: when a node of the replica group whose configured master is the
 * source is promoted (by {@code sluice promote} in another process, or before a restart), capture
 * is restarted on the new master. With a PostgreSQL 17 failover slot on it, capture resumes from
 * its stored position with no gap (changes it already journaled are recognised and dropped);
 * without one, it creates its slot there and re-reads the captured tables, so every target
 * converges. The log and the activity feed say which path was taken and why.
 *
 * <p>Thread-safe; {@link #close()} stops everything in order: capture first (its last batch is
 * journaled and its position stored), then the rules (each after its current batch), the topology,
 * the monitor (a last state file write) and the journal.
 */
public final class Sidecar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);
  private static final Duration RETENTION_INTERVAL = Duration.ofMinutes(10);

  /** How long a failed capture waits for a promotion in progress to move the source. */
  private static final Duration PROMOTION_GRACE = Duration.ofSeconds(15);

  /**
   * Who hears of what happens, besides the monitor's activity feed. Each is called on the thread
   * where the event happened and must not block.
   */
  public record Listeners(
      Consumer<CaptureEvent> capture,
      Consumer<ApplyEvent> rules,
      Consumer<TopologyEvent> replicas) {
    public static final Listeners NONE = new Listeners(event -> {}, event -> {}, event -> {});
  }

  private final SluiceConfig config;
  private final Journal journal;
  private final ActivityFeed feed;
  private final MetricRegistry metrics;
  private final Listeners listeners;
  private final ScheduledExecutorService maintenance;
  private final CompletableFuture<Void> failure = new CompletableFuture<>();
  private volatile Capture capture;
  private volatile String captureUrl;
  private volatile ApplyEngine rules;
  private volatile Topology topology;
  private volatile MonitorWiring monitor;
  private volatile boolean closed;

  private Sidecar(
      SluiceConfig config, Journal journal, MetricRegistry metrics, Listeners listeners) {
    this.config = config;
    this.journal = journal;
    this.metrics = metrics;
    this.listeners = listeners;
    this.feed = new ActivityFeed();
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-maintenance");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** As {@link #start(SluiceConfig, MetricRegistry, Listeners)}, without replica events. */
  static Sidecar start(
      SluiceConfig config,
      MetricRegistry metrics,
      Consumer<CaptureEvent> captureEvents,
      Consumer<ApplyEvent> ruleEvents) {
    return start(config, metrics, new Listeners(captureEvents, ruleEvents, event -> {}));
  }

  /**
   * Opens the journal, starts the topology, capture (on the running master), every rule, and the
   * monitor.
   *
   * @throws dev.sluice.config.SetupException when the source, a target or the monitor's address
   *     must change first
   */
  public static Sidecar start(SluiceConfig config, MetricRegistry metrics, Listeners listeners) {
    Sidecar sidecar = new Sidecar(config, Journal.open(config.journal()), metrics, listeners);
    try {
      sidecar.startAll();
    } catch (RuntimeException e) {
      sidecar.close();
      throw e;
    }
    return sidecar;
  }

  private void startAll() {
    topology = Topology.start(config, this::appliedPosition, this::onReplicaEvent);
    String url = topology.sourceUrl();
    if (url != null && !url.equals(config.source().url())) {
      LOG.info("capture reads from the promoted master {}", Masking.maskUrl(url));
    }
    startCapture(url == null ? config.source().url() : url);
    rules =
        ApplyEngine.start(
            config,
            journal,
            () -> capture.status().lastLsn(),
            listeners
                .rules()
                .andThen(event -> feed.publish(MonitorWiring.activity(event)))
                .andThen(
                    event -> {
                      MonitorWiring wiring = monitor;
                      if (wiring != null) {
                        wiring.writeStateSoon();
                      }
                    }));
    monitor =
        MonitorWiring.start(
            config,
            metrics,
            feed,
            this::captureStatus,
            journal::stats,
            () -> rules.status(),
            topology);
    maintenance.scheduleWithFixedDelay(
        this::enforceRetention, 0, RETENTION_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void startCapture(String url) {
    Consumer<CaptureEvent> listener =
        listeners.capture().andThen(event -> feed.publish(MonitorWiring.activity(event)));
    Capture started =
        Capture.start(
            withUrl(config.source(), url),
            Capture.Options.of(journal)
                .withMetrics(metrics)
                .withListener(listener)
                .withStatusInterval(config.monitor().poll()));
    capture = started;
    captureUrl = url;
    started
        .completion()
        .whenComplete(
            (done, error) -> {
              if (error != null && capture == started && !closed) {
                maintenance.execute(() -> onCaptureFailure(url, error));
              }
            });
    started
        .tablesAppeared()
        .thenAccept(tables -> maintenance.execute(() -> addTables(started, url, tables)));
  }

  /**
   * New tables match {@code source.tables}, or a partition was attached to a captured table:
   * capture restarts on the same source, which adds them to the publication and reads their rows (a
   * partitioned table's again) before streaming their changes. Runs on the maintenance thread.
   */
  private void addTables(Capture running, String url, List<TableName> tables) {
    if (closed || capture != running) {
      return;
    }
    String names = String.join(", ", tables.stream().map(TableName::toString).toList());
    LOG.info("new tables match source.tables: {}; capture restarts to add them", names);
    restartCapture(
        running,
        url,
        "new tables match source.tables (" + names + "): capture restarts to add them",
        () -> {});
  }

  /**
   * Stops capture and starts it on {@code url}, after {@code beforeStart}; says why in the activity
   * feed. When it cannot start again, the sidecar fails. Runs on the maintenance thread.
   */
  private void restartCapture(Capture old, String url, String why, Runnable beforeStart) {
    feed.publish(
        new dev.sluice.monitor.ActivityEvent(Instant.now(), "capture.stopped", "capture", why));
    try {
      captureUrl = url;
      old.close();
      beforeStart.run();
      startCapture(url);
    } catch (RuntimeException e) {
      LOG.error(
          "capture could not start again on {} ({}): {}",
          Masking.maskUrl(url),
          why,
          e.getMessage());
      failure.completeExceptionally(e);
    }
  }

  private void onReplicaEvent(TopologyEvent event) {
    listeners.replicas().accept(event);
    feed.publish(MonitorWiring.activity(event));
    MonitorWiring wiring = monitor;
    if (wiring != null) {
      wiring.writeStateSoon(); // the state file shows every topology change at once
    }
    if (event.type() == TopologyEvent.Type.PROMOTED && !closed) {
      maintenance.execute(this::followSource);
    }
  }

  /**
   * After a promotion: restarts capture on the running master when it moved. Runs on the
   * maintenance thread, so two promotions are followed one after the other.
   */
  private void followSource() {
    Topology current = topology;
    String url = current == null ? null : current.sourceUrl();
    if (closed || url == null || url.equals(captureUrl)) {
      return;
    }
    SourceConfig moved = withUrl(config.source(), url);
    Optional<SourceCheck.SlotState> slot = slotOn(moved);
    String how;
    if (slot.isPresent()) {
      how =
          "its slot "
              + moved.slot()
              + " is there (confirmed "
              + slot.get().confirmedFlushLsn()
              + "): capture resumes from its stored position, with no gap";
    } else {
      how =
          "its slot "
              + moved.slot()
              + " is not there (not a PostgreSQL 17 failover slot synchronised to it): capture"
              + " creates it and re-reads the captured tables so every target converges";
    }
    LOG.warn("the source moved to the promoted master {}; {}", Masking.maskUrl(url), how);
    restartCapture(
        capture,
        url,
        "the source moved: " + how,
        () -> {
          if (slot.isEmpty()) {
            requestSnapshot();
          }
        });
  }

  /**
   * Capture stopped on an error. When replicas are configured the error may be the old master being
   * fenced by a promotion in progress (its sessions ended, writes refused): capture follows the
   * source if it moves within {@link #PROMOTION_GRACE}; otherwise the sidecar fails.
   */
  private void onCaptureFailure(String failedUrl, Throwable error) {
    Instant deadline =
        Instant.now().plus(config.replicas().isEmpty() ? Duration.ZERO : PROMOTION_GRACE);
    while (!closed) {
      try {
        topology.probeNow();
      } catch (RuntimeException e) {
        LOG.debug("probe after a capture failure: {}", e.getMessage());
      }
      if (!failedUrl.equals(topology.sourceUrl())) {
        LOG.warn(
            "capture stopped ({}); the source was promoted away, following it", error.getMessage());
        followSource();
        return;
      }
      if (!Instant.now().isBefore(deadline)) {
        break;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    failure.completeExceptionally(error);
  }

  /** The slot on a source, or empty when it is not there or the source cannot be asked. */
  private static Optional<SourceCheck.SlotState> slotOn(SourceConfig source) {
    try (Connection connection = SourceConnection.open(source)) {
      return SourceCheck.slot(source, connection);
    } catch (SQLException | RuntimeException e) {
      LOG.warn("cannot read the slot on the new master: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /** Makes the next capture start forget its position and take a snapshot. */
  private void requestSnapshot() {
    Path dir = config.journal().dir();
    try {
      SnapshotRequest.write(dir, "after a promotion");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset the capture position in " + dir, e);
    }
  }

  private static SourceConfig withUrl(SourceConfig source, String url) {
    Secret password = source.password();
    return new SourceConfig(
        url,
        source.user(),
        password,
        source.slot(),
        source.publication(),
        source.tables(),
        source.snapshot(),
        source.heartbeat());
  }

  /**
   * Where a rule stands, for the lag of slaves it feeds (called on the topology's probe thread).
   */
  private Optional<AppliedPosition> appliedPosition(String rule) {
    ApplyEngine engine = rules;
    Capture source = capture;
    if (engine == null || source == null) {
      return Optional.empty();
    }
    return engine
        .rule(rule)
        .map(
            applier -> {
              RuleStatus status = applier.status();
              if (status.lagChanges() == 0) {
                return new AppliedPosition(
                    Math.max(status.appliedLsn(), source.status().lastLsn()), null);
              }
              Instant oldest = Instant.now().minusMillis(Math.round(status.lagSeconds() * 1000));
              return new AppliedPosition(status.appliedLsn(), oldest);
            })
        .filter(position -> position.appliedLsn() > 0);
  }

  private void enforceRetention() {
    try {
      journal.enforceRetention(
          Instant.now(), config.journal().retention(), rules.oldestNeededPosition(journal));
    } catch (RuntimeException e) {
      LOG.warn("journal retention failed: {}", e.getMessage());
    }
  }

  /**
   * Completes exceptionally when capture fails (or cannot follow the source after a promotion);
   * normally when the sidecar is closed.
   */
  public CompletableFuture<Void> failure() {
    return failure;
  }

  public SluiceConfig config() {
    return config;
  }

  Journal journal() {
    return journal;
  }

  public CaptureStatus captureStatus() {
    return capture.status();
  }

  JournalStats journalStats() {
    return journal.stats();
  }

  public List<RuleStatus> ruleStatus() {
    return rules.status();
  }

  /** The replica groups (none configured is fine). */
  Topology topology() {
    return topology;
  }

  /** The dashboard's address. */
  public java.net.URI monitorUri() {
    return monitor.uri();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    maintenance.shutdownNow();
    try {
      maintenance.awaitTermination(2, TimeUnit.MINUTES); // a capture being restarted
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(capture, "capture");
    closeQuietly(rules, "the rules");
    closeQuietly(topology, "the topology");
    closeQuietly(monitor, "the monitor"); // last state file write: capture and rules stopped
    journal.close();
    failure.complete(null);
  }

  private static void closeQuietly(AutoCloseable component, String name) {
    if (component == null) {
      return;
    }
    try {
      component.close();
    } catch (Exception e) {
      LOG.warn("stopping {}: {}", name, e.getMessage());
    }
  }
}
