package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.apply.ApplyEvent;
import dev.sluice.apply.RuleStatus;
import dev.sluice.capture.CaptureEvent;
import dev.sluice.capture.CaptureStatus;
import dev.sluice.config.Durations;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalStats;
import dev.sluice.journal.Lsn;
import dev.sluice.journal.Op;
import dev.sluice.monitor.ActivityEvent;
import dev.sluice.monitor.ActivityFeed;
import dev.sluice.monitor.CaptureView;
import dev.sluice.monitor.JournalView;
import dev.sluice.monitor.MonitorServer;
import dev.sluice.monitor.NodeView;
import dev.sluice.monitor.PipelineView;
import dev.sluice.monitor.ReplicaGroupView;
import dev.sluice.monitor.RuleView;
import dev.sluice.monitor.Snapshot;
import dev.sluice.monitor.StateFile;
import dev.sluice.topology.GroupStatus;
import dev.sluice.topology.NodeStatus;
import dev.sluice.topology.PoolUsage;
import dev.sluice.topology.RoutingDecision;
import dev.sluice.topology.Topology;
import dev.sluice.topology.TopologyEvent;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor of a running sidecar: adapts the components' statuses into the monitor's view model,
 * serves the dashboard and API ({@code monitor.host:monitor.port}), and writes the state file
 * ({@code state:}) every {@code monitor.poll} and once more when closed.
 *
 * <p>Thread-safe: the server's workers and the state file writer call {@link #snapshot()}
 * concurrently; every figure comes from the components' own thread-safe status calls.
 */
final class MonitorWiring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorWiring.class);

  /** How many recent events the state file keeps. */
  static final int STATE_EVENTS = 200;

  private final SluiceConfig config;
  private final ActivityFeed feed;
  private final Supplier<CaptureStatus> capture;
  private final Supplier<JournalStats> journal;
  private final Supplier<List<RuleStatus>> rules;
  private final Topology topology;
  private final MonitorServer server;
  private final ScheduledThreadPoolExecutor writer;
  private final AtomicBoolean writeQueued = new AtomicBoolean();
  private String lastWriteProblem;
  private volatile java.util.function.BiFunction<String, RuleStatus, dev.sluice.monitor.ResyncView>
      resyncs = (rule, status) -> null;

  private MonitorWiring(
      SluiceConfig config,
      ActivityFeed feed,
      Supplier<CaptureStatus> capture,
      Supplier<JournalStats> journal,
      Supplier<List<RuleStatus>> rules,
      Topology topology,
      MetricRegistry metrics,
      Map<String, dev.sluice.monitor.Action> actions) {
    this.config = config;
    this.feed = feed;
    this.capture = capture;
    this.journal = journal;
    this.rules = rules;
    this.topology = topology;
    this.server =
        MonitorServer.builder(config.monitor(), this::snapshot, feed, metrics)
            .actions(actions)
            .start();
    this.writer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = new Thread(r, "sluice-state-file");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** As the other {@code start}, with no POST endpoints. */
  static MonitorWiring start(
      SluiceConfig config,
      MetricRegistry metrics,
      ActivityFeed feed,
      Supplier<CaptureStatus> capture,
      Supplier<JournalStats> journal,
      Supplier<List<RuleStatus>> rules,
      Topology topology) {
    return start(config, metrics, feed, capture, journal, rules, topology, Map.of());
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
      Supplier<JournalStats> journal,
      Supplier<List<RuleStatus>> rules,
      Topology topology,
      Map<String, dev.sluice.monitor.Action> actions) {
    MonitorWiring wiring =
        new MonitorWiring(config, feed, capture, journal, rules, topology, metrics, actions);
    long poll = config.monitor().poll().toMillis();
    wiring.writer.scheduleWithFixedDelay(wiring::writeState, 0, poll, TimeUnit.MILLISECONDS);
    LOG.info("dashboard and API on {}; state file {}", wiring.uri(), config.state());
    return wiring;
  }

  /** Shows each rule's latest resync (by rule name and status) in {@code /api/rules}. */
  void showResyncs(
      java.util.function.BiFunction<String, RuleStatus, dev.sluice.monitor.ResyncView> views) {
    this.resyncs = views;
  }

  /** The dashboard's address. */
  URI uri() {
    return server.uri();
  }

  /** The figures as of now. */
  Snapshot snapshot() {
    List<ReplicaGroupView> groups = new ArrayList<>();
    for (GroupStatus group : topology.status()) {
      groups.add(groupView(group, route(group.name())));
    }
    return snapshot(
        config,
        capture.get(),
        journal.get(),
        rules.get().stream()
            .map(status -> ruleView(status).withResync(resyncs.apply(status.rule(), status)))
            .toList(),
        groups,
        Instant.now());
  }

  private RoutingDecision route(String group) {
    try {
      return topology.route(group);
    } catch (RuntimeException e) { // no node can take reads: the view says so
      return null;
    }
  }

  /** The view of every component's status. */
  static Snapshot snapshot(
      SluiceConfig config,
      CaptureStatus capture,
      JournalStats journal,
      List<RuleView> rules,
      List<ReplicaGroupView> replicas,
      Instant now) {
    return Snapshot.of(
        now,
        config.monitor().poll(),
        new PipelineView(captureView(capture), journalView(config, journal)),
        rules,
        replicas);
  }

  /** A rule's status as the monitor shows it. */
  static RuleView ruleView(RuleStatus status) {
    Map<String, Long> totals = new LinkedHashMap<>();
    for (Op op : List.of(Op.INSERT, Op.UPDATE, Op.DELETE, Op.TRUNCATE, Op.READ)) {
      totals.put(op.label(), status.totals().getOrDefault(op.label(), 0L));
    }
    RuleStatus.Sync sync = status.lastSync();
    return new RuleView(
        status.rule(),
        status.target(),
        status.dialect().yamlName(),
        status.mode().yamlName(),
        ruleState(status),
        position(status.appliedPosition()),
        status.appliedLsn() == 0 ? null : Lsn.format(status.appliedLsn()),
        status.lagChanges(),
        status.lagBytes(),
        status.lagSeconds(),
        status.changesPerSecond(),
        totals,
        status.lastError(),
        sync == null ? null : sync.kind(),
        sync == null ? null : sync.started(),
        sync == null ? null : sync.finished(),
        status.deadLetters(),
        status.missingRows(),
        status.conflicts());
  }

  private static String ruleState(RuleStatus status) {
    return switch (status.state()) {
      case STARTING -> "starting";
      case SYNCING ->
          status.lastSync() != null && status.lastSync().kind().equals("replay")
              ? "replaying"
              : "snapshotting";
      case RUNNING -> "running";
      case RETRYING -> "paused";
      case FAILED -> "failed";
      case STOPPED -> "stopped";
    };
  }

  /**
   * A replica group as the monitor shows it: master first.
   *
   * @param route where reads go now, or null when no node can take them
   */
  static ReplicaGroupView groupView(GroupStatus group, RoutingDecision route) {
    List<NodeView> nodes = new ArrayList<>();
    for (NodeStatus node : group.nodes()) {
      NodeView view = nodeView(node);
      if (node.isMaster()) {
        nodes.add(0, view);
      } else {
        nodes.add(view);
      }
    }
    return new ReplicaGroupView(
        group.name(),
        group.routing().yamlName(),
        nodes,
        route == null ? null : route.node(),
        route == null ? "no node can take reads" : route.reason());
  }

  static NodeView nodeView(NodeStatus node) {
    PoolUsage pool = node.pool() == null ? new PoolUsage(0, 0, 0) : node.pool();
    return new NodeView(
        node.name(),
        node.role().yamlName(),
        node.dialect().yamlName(),
        node.state().yamlName(),
        node.lagBytes(),
        node.lagMillis(),
        node.probedAt(),
        node.fedBy(),
        pool.active(),
        pool.idle(),
        pool.max(),
        node.host(),
        node.port(),
        node.database(),
        node.detail() == null || node.detail().isEmpty() ? null : node.detail());
  }

  static CaptureView captureView(CaptureStatus status) {
    return new CaptureView(
        status.state().name().toLowerCase(Locale.ROOT),
        status.sourceVersion(),
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
        status.lastError(),
        status.tablesPendingSnapshot().stream().map(TableName::toString).toList(),
        status.warning());
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

  /** A rule's event as an activity event (its subject is the rule's name). */
  static ActivityEvent activity(ApplyEvent event) {
    return new ActivityEvent(event.time(), event.type(), event.rule(), event.message());
  }

  /** A replica's event as an activity event (its subject is {@code group/node}). */
  static ActivityEvent activity(TopologyEvent event) {
    return new ActivityEvent(
        event.at(),
        event.type().wireName(),
        event.node() == null || event.node().isEmpty()
            ? event.group()
            : event.group() + "/" + event.node(),
        event.message());
  }

  /**
   * Writes the state file soon, on the writer's thread (after a topology change or a rule event),
   * rather than at the next poll. Calls while a write is already queued add nothing: the queued
   * write takes the figures as they are when it runs, so a burst of events costs one write, and the
   * writer's queue never holds more than one of these. Never blocks; does nothing once closed.
   */
  void writeStateSoon() {
    if (!writeQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      writer.execute(
          () -> {
            writeQueued.set(false);
            writeState();
          });
    } catch (RejectedExecutionException e) {
      writeQueued.set(false); // closed: close() writes it a last time
    }
  }

  /** How many tasks wait on the state file writer's thread (the periodic write included). */
  int queuedStateWrites() {
    return writer.getQueue().size();
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
