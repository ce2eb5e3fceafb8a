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
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.Masking;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.Secret;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalStats;
import dev.sluice.monitor.ActivityEvent;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private volatile SluiceConfig config;
  private volatile ConfigDocument document;
  private final Object changes = new Object();
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
  private final Resyncs resyncs = new Resyncs(() -> capture);

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
    if (config.file() != null) {
      try {
        document = ConfigDocument.of(readFile(config.file()));
      } catch (RuntimeException e) {
        LOG.warn("the API cannot change the configuration: {}", e.getMessage());
      }
    }
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
                .andThen(resyncs::onRuleEvent)
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
            topology,
            new ConfigApi(this).actions());
    monitor.showResyncs(resyncs::view);
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
        source.heartbeat(),
        source.connectTimeout());
  }

  /**
   * Reads the file this sidecar was started from again and applies the difference ({@link #apply}).
   * {@code sluice.yaml} is the one source of truth: a reload never writes it.
   *
   * @return what changed, one line each (empty when nothing differs)
   * @throws dev.sluice.config.ConfigException when the file is invalid: nothing is changed
   * @throws SetupException when a key that differs cannot change at run time: nothing is changed
   */
  public List<String> reload() {
    Path file = config.file();
    if (file == null) {
      throw new SetupException("this sidecar was not started from a file; there is none to reload");
    }
    SluiceConfig next;
    ConfigDocument fileDocument;
    try {
      String text = readFile(file);
      next =
          ConfigLoader.withSystemEnvironment()
              .parse(text, file.toString(), file.toAbsolutePath().normalize().getParent(), file);
      fileDocument = ConfigDocument.of(text);
    } catch (ConfigException e) {
      publishError("reload of " + file + " changed nothing: " + e.getMessage().trim());
      throw e;
    }
    synchronized (changes) {
      List<String> lines = apply(next, "reload of " + file);
      document = fileDocument; // the file replaces every change made through the API
      return lines;
    }
  }

  /**
   * Edits the running configuration document (a change made through the API), validates the result
   * as a file is validated, and applies the difference ({@link #apply}). The file is not written; a
   * reload of the file replaces the change.
   *
   * @throws dev.sluice.config.ConfigException when the result is invalid: nothing is changed
   * @throws java.util.NoSuchElementException when the edit names an unknown rule, group or node
   */
  public List<String> change(java.util.function.UnaryOperator<ConfigDocument> edit, String origin) {
    synchronized (changes) {
      ConfigDocument current = document();
      ConfigDocument next = edit.apply(current);
      SluiceConfig nextConfig = next.load(origin, config.file());
      List<String> lines = apply(nextConfig, origin);
      document = next;
      return lines;
    }
  }

  /** The running configuration as a document (what API changes edit). */
  ConfigDocument document() {
    ConfigDocument current = document;
    if (current == null) {
      throw new SetupException(
          "the running configuration cannot be changed through the API: "
              + (config.file() == null
                  ? "it did not come from a file"
                  : "its file could not be read at start"));
    }
    return current;
  }

  private static String readFile(Path file) {
    try {
      return java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          List.of(
              new dev.sluice.config.ConfigProblem(
                  file.toString(), "", 0, "cannot read the file: " + e.getMessage())));
    }
  }

  /**
   * Applies a new, fully validated configuration to the running sidecar, one change at a time
   * (changes are serialised: a second one waits for the first): rules removed stop after their
   * current batch with their checkpoint kept in the target, changed ones stop and start again with
   * the new settings, added ones start; replica nodes are removed (their pools drain), changed and
   * added, and groups' routing and hysteresis set; when {@code source.tables} differs capture
   * restarts with the new list (tables added are read with their earlier rows, as tables created at
   * run time are). Publishes {@code config.reloaded} with what changed.
   *
   * @param origin what asked for it, for the log and the activity feed
   * @return what changed, one line each
   * @throws SetupException naming every key that cannot change without a restart: nothing is
   *     changed
   */
  public List<String> apply(SluiceConfig next, String origin) {
    synchronized (changes) {
      if (closed) {
        throw new IllegalStateException("the sidecar is stopping");
      }
      ConfigChange change = ConfigChange.between(config, next);
      if (!change.refused().isEmpty()) {
        String message =
            origin
                + " changed nothing:\n  "
                + String.join("\n  ", change.refused())
                + "\nthe running configuration stays as it was";
        publishError(message);
        throw new SetupException(message);
      }
      List<String> lines = change.lines();
      if (lines.isEmpty()) {
        LOG.info("{}: nothing differs from the running configuration", origin);
        feed.publish(
            new ActivityEvent(
                Instant.now(), "config.reloaded", "config", origin + ": nothing changed"));
        return lines;
      }
      if (change.tablesChanged()) {
        checkSource(next, origin);
      }
      List<String> done = new ArrayList<>();
      try {
        applyRules(change, next, origin, done);
        topology.useConfiguration(next);
        applyGroups(change, done);
        SluiceConfig before = config;
        config = next;
        if (change.tablesChanged()) {
          restartCaptureFor(before, next);
          done.add("source.tables changed");
        }
      } catch (RuntimeException e) {
        String message =
            origin
                + " stopped at an error after "
                + (done.isEmpty() ? "no change" : String.join("; ", done))
                + ": "
                + e.getMessage();
        publishError(message);
        throw new IllegalStateException(message, e);
      }
      lines.forEach(line -> LOG.info("{}: {}", origin, line));
      feed.publish(
          new ActivityEvent(
              Instant.now(),
              "config.reloaded",
              "config",
              origin + ": " + String.join("; ", lines)));
      MonitorWiring wiring = monitor;
      if (wiring != null) {
        wiring.writeStateSoon();
      }
      return lines;
    }
  }

  private void applyRules(
      ConfigChange change, SluiceConfig next, String origin, List<String> done) {
    for (String rule : change.rulesRemoved()) {
      rules.remove(rule, "removed by " + origin);
      done.add("rule " + rule + " removed");
    }
    for (Map.Entry<RuleConfig, String> e : change.rulesChanged().entrySet()) {
      RuleConfig rule = e.getKey();
      rules.replace(rule, next.targetOf(rule), "changed by " + origin + ": " + e.getValue());
      done.add("rule " + rule.name() + " changed");
    }
    for (RuleConfig rule : change.rulesAdded()) {
      rules.add(rule, next.targetOf(rule));
      done.add("rule " + rule.name() + " added");
    }
  }

  private void applyGroups(ConfigChange change, List<String> done) {
    for (Map.Entry<String, ConfigChange.GroupChange> e : change.groups().entrySet()) {
      String group = e.getKey();
      ConfigChange.GroupChange c = e.getValue();
      for (String node : c.removed()) {
        topology.removeNode(group, node);
        done.add("replica " + group + "/" + node + " removed");
      }
      for (NodeConfig node : c.changed()) {
        topology.changeNode(group, node);
        done.add("replica " + group + "/" + node.name() + " changed");
      }
      for (NodeConfig node : c.added()) {
        topology.addNode(group, node);
        done.add("replica " + group + "/" + node.name() + " added");
      }
      if (c.routing() != null) {
        topology.setRouting(group, c.routing());
        done.add("replicas." + group + ".routing changed");
      }
      if (c.hysteresis() != null) {
        topology.setHysteresis(group, c.hysteresis());
        done.add("replicas." + group + ".hysteresis changed");
      }
    }
  }

  /**
   * Restarts capture with the new {@code source.tables}, on the maintenance thread (where every
   * capture restart runs), and waits for it: tables added are read with their earlier rows before
   * their changes stream; tables left out stop being captured and journaled.
   */
  private void restartCaptureFor(SluiceConfig before, SluiceConfig next) {
    String why =
        "source.tables changed from "
            + before.source().tables()
            + " to "
            + next.source().tables()
            + ": capture restarts; tables added are read with their earlier rows, tables left out"
            + " are no longer captured or journaled";
    LOG.info("{}", why);
    try {
      maintenance
          .submit(
              () -> {
                if (!closed) {
                  restartCapture(capture, captureUrl, why, () -> {});
                }
              })
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while capture restarted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("capture could not restart: " + e.getCause(), e.getCause());
    }
    if (failure.isCompletedExceptionally()) {
      throw new IllegalStateException(
          "capture could not start again with the new source.tables; the sidecar stops: "
              + failure.handle((ok, error) -> String.valueOf(error.getMessage())).join());
    }
  }

  /**
   * Checks, before anything changes, that capture can start with the new {@code source.tables} (as
   * it checks at start): a table it could not capture refuses the change.
   */
  private void checkSource(SluiceConfig next, String origin) {
    SourceConfig source = withUrl(next.source(), captureUrl);
    try (Connection connection = SourceConnection.open(source)) {
      List<SourceCheck.Problem> problems = SourceCheck.tableProblems(source, connection);
      if (!problems.isEmpty()) {
        throw new SetupException(
            "\n  " + String.join("\n  ", problems.stream().map(Object::toString).toList()));
      }
    } catch (SQLException | RuntimeException e) {
      String message =
          origin
              + " changed nothing: capture could not start with source.tables "
              + next.source().tables()
              + ": "
              + e.getMessage()
              + "\nthe running configuration stays as it was";
      publishError(message);
      throw new SetupException(message);
    }
  }

  private void publishError(String message) {
    LOG.error("{}", message);
    feed.publish(new ActivityEvent(Instant.now(), "error", "config", message));
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

  /**
   * Starts a resync of a rule: a mirror copy of its tables now, while capture and the other rules
   * run (see {@link Resyncs}).
   *
   * @throws java.util.NoSuchElementException for an unknown rule
   * @throws IllegalArgumentException for a rule that cannot resync
   * @throws IllegalStateException while one runs for the rule, or capture reads another snapshot
   */
  dev.sluice.monitor.ResyncView resync(String rule) {
    synchronized (changes) {
      if (closed) {
        throw new IllegalStateException("the sidecar is stopping");
      }
      dev.sluice.monitor.ResyncView started = resyncs.start(config, rule);
      feed.publish(
          new ActivityEvent(
              Instant.now(),
              "rule.resync.requested",
              rule,
              "resync "
                  + started.id()
                  + " of rule "
                  + rule
                  + " asked for: capture reads "
                  + String.join(", ", started.tables())));
      return started;
    }
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
