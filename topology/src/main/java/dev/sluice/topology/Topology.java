package dev.sluice.topology;

import com.zaxxer.hikari.HikariConfig;
import dev.sluice.config.LagTolerance;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.NodeRole;
import dev.sluice.config.ReplicaGroupConfig;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SourceConfig;
import dev.sluice.topology.internal.Endpoint;
import dev.sluice.topology.internal.GroupProbe;
import dev.sluice.topology.internal.GroupView;
import dev.sluice.topology.internal.Names;
import dev.sluice.topology.internal.NodePools;
import dev.sluice.topology.internal.Promotion;
import dev.sluice.topology.internal.ReadRouter;
import dev.sluice.topology.internal.Rejoin;
import dev.sluice.topology.internal.Roles;
import dev.sluice.topology.internal.RolesFile;
import dev.sluice.topology.internal.RolesLock;
import dev.sluice.topology.internal.RoutedDataSource;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The running replica groups of one configuration ({@code replicas:}): lag probes, read routing,
 * pooled DataSources, promotion and rejoin. The one entry point of the module:
 *
 * <pre>{@code
 * try (Topology topology = Topology.start(config, appliedPositions, events::publish)) {
 *   DataSource reads = topology.readDataSource("app");   // a fresh slave at each checkout
 *   DataSource writes = topology.writeDataSource("app"); // the running master
 *   RoutingDecision where = topology.route("app");       // for GET /api/routing/app/read
 *   List<GroupStatus> status = topology.status();         // for the monitor and the state file
 *   topology.addNode("app", standby2);                     // run-time changes, no restart:
 *   topology.removeNode("app", "standby-1");               // connections in use are not dropped
 *   topology.setRouting("app", RoutingStrategy.ROUND_ROBIN);
 * }
 * }</pre>
 *
 * <p>Probes run every {@code monitor.poll} on one background thread; each costs one small query per
 * node over a kept-open connection. Until the first probe has run, every slave counts as down and
 * reads go to the masters. Running roles (after promotions) are kept in {@code topology-roles.json}
 * beside the state file, read at start, and re-read when another process (the {@code sluice
 * promote} command) changes it.
 *
 * <p>Thread-safe. Routing reads an immutable snapshot per group (no lock); promotion, rejoin and
 * probes of one group are serialised. A promotion or rejoin holds {@code topology-roles.json.lock}
 * (beside the roles file) from start to end, so no two of them run at once across processes; each
 * re-reads the roles under it and refuses when the master changed meanwhile.
 */
public final class Topology implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(5);

  private volatile SluiceConfig config;
  private final Consumer<TopologyEvent> listener;
  private final Options options;
  private final NodePools pools;
  private final RolesFile rolesFile;
  private final Map<String, GroupProbe> probes = new LinkedHashMap<>();
  private final Map<String, ReadRouter> routers = new LinkedHashMap<>();
  private final Map<String, GroupView> views = new ConcurrentHashMap<>();
  private final Map<String, DataSource> readSources = new ConcurrentHashMap<>();
  private final Map<String, DataSource> writeSources = new ConcurrentHashMap<>();
  private final Endpoint source;
  private final ScheduledExecutorService scheduler;
  private volatile Roles roles;
  private volatile FileTime rolesModified;

  /**
   * Settings of the running topology beyond the configuration file.
   *
   * @param probeInBackground whether probes run every {@code monitor.poll} (false for one-shot
   *     commands such as {@code sluice promote}, which call {@link #probeNow()} when they need to)
   * @param poolSettings applied to each node's HikariCP configuration after Sluice's defaults
   *     (maximum 10, none idle when unused, 3 s connection timeout)
   * @param clock the time source
   */
  public record Options(
      boolean probeInBackground, Consumer<HikariConfig> poolSettings, Clock clock) {
    public static final Options DEFAULT = new Options(true, c -> {}, Clock.systemUTC());

    /** For a command that runs once: no background probes. */
    public static Options oneShot() {
      return new Options(false, c -> {}, Clock.systemUTC());
    }

    public Options withPoolSettings(Consumer<HikariConfig> settings) {
      return new Options(probeInBackground, settings, clock);
    }
  }

  private Topology(
      SluiceConfig config,
      AppliedPositions applied,
      Consumer<TopologyEvent> listener,
      Options options) {
    this.config = config;
    this.listener = listener;
    this.options = options;
    this.pools = new NodePools(options.poolSettings());
    this.rolesFile = RolesFile.besideState(config.state());
    this.rolesModified = rolesFile.modified();
    this.roles = rolesFile.read();
    this.source = sourceEndpoint(config);
    Duration probeTimeout = clamp(config.monitor().poll());
    for (ReplicaGroupConfig group : config.replicas().values()) {
      List<Endpoint> endpoints = new ArrayList<>();
      for (NodeConfig node : group.nodes()) {
        endpoints.add(Endpoint.of(config, group.name(), node));
      }
      GroupProbe probe =
          new GroupProbe(
              group,
              endpoints,
              this::currentSource,
              applied,
              pools,
              probeTimeout,
              this::emit,
              options.clock());
      probes.put(group.name(), probe);
      routers.put(group.name(), new ReadRouter());
      views.put(group.name(), probe.initialView(master(group.name())));
    }
    this.scheduler =
        options.probeInBackground() && !probes.isEmpty()
            ? Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "sluice-topology-probe");
                  t.setDaemon(true);
                  return t;
                })
            : null;
  }

  /**
   * Starts the topology of {@code config}'s {@code replicas:} (none is fine: every call naming a
   * group then fails with "unknown group").
   *
   * @param applied where rules stand, for the lag of CDC-fed slaves ({@link AppliedPositions#NONE}
   *     when no apply engine runs)
   * @param listener receives every event, on the thread that caused it; it must not block
   * @throws SetupException when the roles file cannot be read
   */
  public static Topology start(
      SluiceConfig config, AppliedPositions applied, Consumer<TopologyEvent> listener) {
    return start(config, applied, listener, Options.DEFAULT);
  }

  /** As {@link #start(SluiceConfig, AppliedPositions, Consumer)}, with options. */
  public static Topology start(
      SluiceConfig config,
      AppliedPositions applied,
      Consumer<TopologyEvent> listener,
      Options options) {
    Topology topology = new Topology(config, applied, listener, options);
    topology.announce();
    if (topology.scheduler != null) {
      topology.scheduler.scheduleWithFixedDelay(
          topology::probeQuietly, 0, config.monitor().poll().toMillis(), TimeUnit.MILLISECONDS);
    }
    return topology;
  }

  private void announce() {
    for (GroupProbe probe : probes.values()) {
      String master = master(probe.config().name());
      for (Endpoint e : probe.endpoints().values()) {
        NodeRole role = e.name().equals(master) ? NodeRole.MASTER : NodeRole.SLAVE;
        emit(
            new TopologyEvent(
                TopologyEvent.Type.ADDED,
                options.clock().instant(),
                probe.config().name(),
                e.name(),
                e.name()
                    + " is in group "
                    + probe.config().name()
                    + " as "
                    + role.yamlName()
                    + (role != e.configuredRole()
                        ? " (configured "
                            + e.configuredRole().yamlName()
                            + "; changed by a promotion)"
                        : "")));
      }
    }
  }

  /**
   * The JDBC URL capture should read from now: {@code source.url}, or, once a node of the group
   * whose configured master is the source has been promoted (by this topology, by {@code sluice
   * promote}, or before a restart), that group's running master's URL (credentials stay those of
   * {@code source:}, the new master being a physical copy of the old one). Capture compares it with
   * the URL it runs on after every {@link TopologyEvent.Type#PROMOTED} event.
   */
  public String sourceUrl() {
    Endpoint current = currentSource();
    return current == null ? null : current.url();
  }

  /** The configured source, or the master promoted in its place. */
  private Endpoint currentSource() {
    if (source == null) {
      return null;
    }
    for (GroupProbe probe : probes.values()) {
      Endpoint e = probe.endpoints().get(configuredMaster(probe.config()));
      if (e.isPostgres() && source.sameDatabaseAs(e.host(), e.port(), e.database())) {
        return probe.endpoints().get(master(probe.config().name()));
      }
    }
    return source;
  }

  private static String configuredMaster(ReplicaGroupConfig group) {
    return group.nodes().stream()
        .filter(n -> n.role() == NodeRole.MASTER)
        .findFirst()
        .orElseThrow()
        .name();
  }

  /** The file that keeps the running roles: {@code topology-roles.json} beside the state file. */
  public Path rolesFile() {
    return rolesFile.path();
  }

  /** Every group as last probed, in configuration order, with current pool usage. */
  public List<GroupStatus> status() {
    List<GroupStatus> all = new ArrayList<>();
    for (String group : probes.keySet()) {
      all.add(status(group));
    }
    return all;
  }

  /**
   * One group as last probed.
   *
   * @throws SetupException for an unknown group
   */
  public GroupStatus status(String group) {
    GroupProbe probe = probe(group);
    GroupStatus s = views.get(group).status();
    List<NodeStatus> nodes = new ArrayList<>();
    for (NodeStatus n : s.nodes()) {
      Endpoint e = probe.endpoints().get(n.name());
      nodes.add(e.isJdbc() ? n.withPool(pools.usage(e)) : n);
    }
    return new GroupStatus(
        s.name(),
        s.routing(),
        s.hysteresis(),
        s.master(),
        s.freshSlaves(),
        s.readsGoToMaster(),
        nodes);
  }

  /**
   * Where the next read of a group goes, and why. Lock-free; costs what one checkout's routing
   * costs plus the reason's text.
   *
   * @throws SetupException for an unknown group
   */
  public RoutingDecision route(String group) {
    probe(group);
    return routers.get(group).decide(views.get(group));
  }

  /**
   * A pooled DataSource for reads of a group: at each {@code getConnection()} it routes (see {@link
   * #route}) and hands out a connection from the chosen node's HikariCP pool; when that node cannot
   * give one, it tries the master once. Use it as any DataSource (Spring, Hibernate, JDBC); close
   * connections to return them. Valid until the topology closes.
   *
   * @throws SetupException for an unknown group
   */
  public DataSource readDataSource(String group) {
    probe(group);
    ReadRouter router = routers.get(group);
    return readSources.computeIfAbsent(
        group,
        g ->
            new RoutedDataSource(
                "reads of group " + g,
                () -> router.pick(views.get(g)),
                () -> views.get(g).master(),
                pools));
  }

  /**
   * A pooled DataSource for writes of a group: the running master's pool, switched at the next
   * checkout after a promotion.
   *
   * @throws SetupException for an unknown group
   */
  public DataSource writeDataSource(String group) {
    probe(group);
    return writeSources.computeIfAbsent(
        group,
        g ->
            new RoutedDataSource("writes of group " + g, () -> views.get(g).master(), null, pools));
  }

  /**
   * Adds a slave to a running group, for applications that embed the topology: it is probed from
   * the next round on and gets reads once a probe finds it within its {@code lagTolerance}. Nothing
   * else changes; {@code sluice.yaml} is not written.
   *
   * @param node a slave: a streaming standby ({@code url}) or a CDC-fed copy ({@code fedBy}, a rule
   *     of the running configuration)
   * @throws SetupException for an unknown group, a name already in the group, a master, an unknown
   *     rule, or a URL that is not a database URL (nothing is changed)
   */
  public void addNode(String group, NodeConfig node) {
    GroupProbe probe = probe(group);
    Endpoint endpoint = newEndpoint(probe, node);
    synchronized (probe) {
      if (probe.endpoints().containsKey(node.name())) {
        throw new SetupException(
            "group " + group + " already has a node '" + node.name() + "'; remove it first");
      }
      probe.add(endpoint);
      pools.restore(endpoint);
      views.put(group, views.get(group).withRouting(probe.config().routing()));
    }
    emit(
        new TopologyEvent(
            TopologyEvent.Type.ADDED,
            options.clock().instant(),
            group,
            node.name(),
            node.name()
                + " is in group "
                + group
                + " as slave (added at run time; reads once it is fresh)"));
  }

  /**
   * Removes a slave from a running group without dropping a connection in use: from the next
   * checkout on it gets no reads; its pool gives out no more connections, closes its idle ones now
   * and each one in use when the application returns it, then closes.
   *
   * @throws SetupException for an unknown group or node, or the running master (promote another
   *     node first); nothing is changed
   */
  public void removeNode(String group, String node) {
    GroupProbe probe = probe(group);
    Endpoint endpoint;
    synchronized (probe) {
      endpoint = node(probe, node);
      reloadRolesIfChanged();
      if (node.equals(master(group))) {
        throw new SetupException(
            "node '"
                + node
                + "' is the running master of group "
                + group
                + ": it cannot be removed; promote one of its slaves first");
      }
      probe.remove(node);
      views.put(group, views.get(group).without(node));
    }
    pools.retire(endpoint);
    emit(
        new TopologyEvent(
            TopologyEvent.Type.REMOVED,
            options.clock().instant(),
            group,
            node,
            node
                + " left group "
                + group
                + " (removed at run time; connections in use close when they are returned)"));
  }

  /**
   * Changes a running group's read routing from the next checkout on.
   *
   * @throws SetupException for an unknown group
   */
  public void setRouting(String group, RoutingStrategy routing) {
    GroupProbe probe = probe(group);
    RoutingStrategy before;
    synchronized (probe) {
      ReplicaGroupConfig c = probe.config();
      before = c.routing();
      probe.reconfigure(routing, c.hysteresis());
      views.put(group, views.get(group).withRouting(routing));
    }
    if (before != routing) {
      emit(
          new TopologyEvent(
              TopologyEvent.Type.ROUTING_CHANGED,
              options.clock().instant(),
              group,
              "",
              "reads of group "
                  + group
                  + " are routed "
                  + routing.yamlName()
                  + " (was "
                  + before.yamlName()
                  + ")"));
    }
  }

  /**
   * Changes how long a slave of a running group must stay within its tolerance before it gets reads
   * again, from the next probe on.
   *
   * @throws SetupException for an unknown group
   */
  public void setHysteresis(String group, Duration hysteresis) {
    GroupProbe probe = probe(group);
    Duration before;
    synchronized (probe) {
      ReplicaGroupConfig c = probe.config();
      before = c.hysteresis();
      probe.reconfigure(c.routing(), hysteresis);
    }
    if (!before.equals(hysteresis)) {
      emit(
          new TopologyEvent(
              TopologyEvent.Type.ROUTING_CHANGED,
              options.clock().instant(),
              group,
              "",
              "the hysteresis of group "
                  + group
                  + " is "
                  + dev.sluice.config.Durations.format(hysteresis)
                  + " (was "
                  + dev.sluice.config.Durations.format(before)
                  + ")"));
    }
  }

  /**
   * Changes a slave's settings. When it still reaches the same database with the same credentials
   * (only {@code lagTolerance} or {@code connectTimeout} differ), its measurements and pool are
   * kept; otherwise it is removed and added again ({@link #removeNode}, {@link #addNode}).
   *
   * @throws SetupException as those do
   */
  public void changeNode(String group, NodeConfig node) {
    GroupProbe probe = probe(group);
    Endpoint changed = newEndpoint(probe, node);
    boolean sameDatabase;
    synchronized (probe) {
      Endpoint old = node(probe, node.name());
      sameDatabase =
          Objects.equals(old.url(), changed.url())
              && Objects.equals(old.user(), changed.user())
              && Objects.equals(old.password(), changed.password())
              && old.node().role() == node.role()
              && Objects.equals(old.node().fedBy(), node.fedBy())
              && old.node().connectTimeout().equals(node.connectTimeout());
      if (sameDatabase) {
        probe.replace(changed);
      }
    }
    if (!sameDatabase) {
      removeNode(group, node.name());
      addNode(group, node);
      return;
    }
    emit(
        new TopologyEvent(
            TopologyEvent.Type.STATE,
            options.clock().instant(),
            group,
            node.name(),
            node.name() + " has lagTolerance " + node.lagTolerance() + " (changed at run time)"));
  }

  /**
   * The configuration CDC-fed nodes added from now on are resolved against (their rule's target),
   * after a reload changed rules or targets.
   */
  public void useConfiguration(SluiceConfig running) {
    this.config = running;
  }

  /** A group's running settings and nodes (after run-time changes). */
  public ReplicaGroupConfig groupConfig(String group) {
    return probe(group).config();
  }

  private Endpoint newEndpoint(GroupProbe probe, NodeConfig node) {
    String group = probe.config().name();
    if (node.name() == null || node.name().isBlank()) {
      throw new SetupException("a node of group " + group + " needs a name");
    }
    if (node.role() != NodeRole.SLAVE) {
      throw new SetupException(
          "node '"
              + node.name()
              + "' cannot join group "
              + group
              + " as "
              + (node.role() == null ? "no role" : node.role().yamlName())
              + ": a group has exactly one master; add slaves, and promote one to change the"
              + " master");
    }
    if (node.fedBy() != null && config.rule(node.fedBy()).isEmpty()) {
      throw new SetupException(
          "node '"
              + node.name()
              + "' is fed by rule '"
              + node.fedBy()
              + "', which is not running"
              + Names.didYouMean(
                  node.fedBy(),
                  config.rules().stream().map(dev.sluice.config.RuleConfig::name).toList()));
    }
    if (node.fedBy() == null && node.url() == null) {
      throw new SetupException(
          "node '" + node.name() + "' needs a url (or fedBy, the rule whose target it is)");
    }
    if (node.url() != null && dev.sluice.config.Dialect.ofUrl(node.url()).isEmpty()) {
      throw new SetupException(
          "node '"
              + node.name()
              + "': '"
              + dev.sluice.config.Masking.maskUrl(node.url())
              + "' is not a supported database URL");
    }
    try {
      return Endpoint.of(config, group, node);
    } catch (IllegalArgumentException e) {
      throw new SetupException("node '" + node.name() + "': " + e.getMessage());
    }
  }

  /** Probes every group now, on the calling thread, and updates routing. */
  public void probeNow() {
    pools.drainRetired();
    reloadRolesIfChanged();
    for (Map.Entry<String, GroupProbe> e : probes.entrySet()) {
      GroupProbe probe = e.getValue();
      try (MDC.MDCCloseable group = MDC.putCloseable("group", e.getKey())) {
        synchronized (probe) {
          views.put(e.getKey(), probe.probe(master(e.getKey())));
        }
      }
    }
  }

  private void probeQuietly() {
    try {
      probeNow();
    } catch (RuntimeException e) {
      LOG.warn("topology probe failed: {}", e.toString(), e);
    }
  }

  /**
   * Makes {@code node} the master of {@code group}; see {@link PromotionResult} for what happened.
   * Records the new roles ({@link #rolesFile()}), switches routing and the write DataSource, and
   * emits an event per step.
   *
   * @param force promote even when the node is over its lag tolerance (what it has not replayed is
   *     lost) or the old master cannot be fenced
   * @throws SetupException for an unknown group or node, a node that is already the master, or one
   *     that is not a streaming PostgreSQL standby (exit code 2)
   * @throws PromotionRefusedException when the node is over its tolerance; nothing was changed
   * @throws NodeUnreachableException when the node cannot be reached
   * @throws TopologyException when another promotion or rejoin of the group (in this process or
   *     another) changed its master while this one waited for it: nothing was changed
   */
  public PromotionResult promote(String group, String node, boolean force) {
    long started = System.nanoTime();
    GroupProbe probe = probe(group);
    Endpoint target = node(probe, node);
    reloadRolesIfChanged();
    String expected = master(group);
    try (RolesLock lock = lock("promote " + group + "/" + node)) {
      String master = masterUnderLock(group, expected, "promote " + node);
      if (node.equals(master)) {
        throw new SetupException(
            "node '"
                + node
                + "' is already the master of group "
                + group
                + "; promote one of its slaves: "
                + String.join(", ", slaves(probe, master)));
      }
      requireStreamingStandby(target, "promoted");
      synchronized (probe) {
        return promoteLocked(probe, target, master, force, started);
      }
    }
  }

  private PromotionResult promoteLocked(
      GroupProbe probe, Endpoint target, String master, boolean force, long started) {
    String group = probe.config().name();
    String node = target.name();
    Endpoint old = probe.endpoints().get(master);
    PromotionResult result =
        new Promotion(
                target,
                old,
                currentSource(),
                config.source() == null ? "sluice" : config.source().slot(),
                force,
                OPERATION_TIMEOUT,
                this::emit,
                options.clock())
            .run(started);
    roles = roles.withMaster(group, node, master, options.clock().instant());
    rolesFile.write(roles);
    rolesModified = rolesFile.modified();
    pools.evict(old);
    probe.forget(master);
    probe.forget(node);
    views.put(group, probe.probe(node));
    emit(
        new TopologyEvent(
            TopologyEvent.Type.PROMOTED,
            options.clock().instant(),
            group,
            node,
            node
                + " is the master of group "
                + group
                + ", accepting writes "
                + result.took().toMillis()
                + " ms after the command (old master "
                + master
                + ": "
                + result.fencing().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + ")"));
    emit(
        new TopologyEvent(
            TopologyEvent.Type.REMOVED,
            options.clock().instant(),
            group,
            master,
            master + " left the group's routing until it rejoins (sluice rejoin)"));
    return result;
  }

  /**
   * Makes a former master of {@code group} a streaming standby of the running master, and a slave
   * of the group (see {@link RejoinOptions} and {@link RejoinMethod}).
   *
   * @throws SetupException for an unknown group or node, the running master itself, or a missing or
   *     foreign data directory
   * @throws NodeUnreachableException when the running master cannot be reached
   * @throws TopologyException when another promotion changed the group's master while this waited
   */
  public RejoinResult rejoin(String group, String node, RejoinOptions rejoinOptions) {
    GroupProbe probe = probe(group);
    Endpoint target = node(probe, node);
    reloadRolesIfChanged();
    String expected = master(group);
    try (RolesLock lock = lock("rejoin " + group + "/" + node)) {
      String master = masterUnderLock(group, expected, "rejoin " + node);
      if (node.equals(master)) {
        throw new SetupException(
            "node '"
                + node
                + "' is the running master of group "
                + group
                + "; rejoin is for a former master that came back after a promotion");
      }
      requireStreamingStandby(target, "rejoined");
      synchronized (probe) {
        return rejoinLocked(probe, target, master, rejoinOptions);
      }
    }
  }

  private RejoinResult rejoinLocked(
      GroupProbe probe, Endpoint target, String master, RejoinOptions rejoinOptions) {
    String group = probe.config().name();
    String node = target.name();
    RejoinResult result =
        new Rejoin(target, probe.endpoints().get(master), rejoinOptions, OPERATION_TIMEOUT).run();
    probe.forget(node);
    views.put(group, probe.probe(master));
    emit(
        new TopologyEvent(
            TopologyEvent.Type.REJOINED,
            options.clock().instant(),
            group,
            node,
            node
                + " rejoined as a standby of "
                + master
                + " ("
                + result.method().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + (result.started() ? "" : "; start it to let it replay")
                + ")"));
    emit(
        new TopologyEvent(
            TopologyEvent.Type.ADDED,
            options.clock().instant(),
            group,
            node,
            node + " is in group " + group + " as slave"));
    return result;
  }

  private RolesLock lock(String purpose) {
    return RolesLock.acquire(RolesLock.besideRoles(rolesFile.path()), purpose, RolesLock.WAIT);
  }

  /**
   * The running master of {@code group} as the roles file says now (read again under the lock, so a
   * promotion that another process finished while this one waited is seen).
   *
   * @throws TopologyException when it is not {@code expected}, the master this operation was asked
   *     against: nothing is done
   */
  private String masterUnderLock(String group, String expected, String operation) {
    reloadRolesIfChanged();
    String master = master(group);
    if (!master.equals(expected)) {
      throw new TopologyException(
          "refusing to "
              + operation
              + ": the master of group "
              + group
              + " changed to "
              + master
              + " (was "
              + expected
              + ") while this waited for another promotion or rejoin, recorded in "
              + rolesFile.path()
              + "; nothing was done. Look at sluice status before trying again");
    }
    return master;
  }

  private static void requireStreamingStandby(Endpoint target, String what) {
    if (target.isCdcFed()) {
      throw new SetupException(
          "node '"
              + target.name()
              + "' is a copy fed by rule "
              + target.node().fedBy()
              + ", not a streaming standby: it cannot be "
              + what);
    }
    if (!target.isPostgres()) {
      throw new SetupException(
          "node '" + target.name() + "' is not PostgreSQL: it cannot be " + what);
    }
  }

  private static List<String> slaves(GroupProbe probe, String master) {
    return probe.endpoints().values().stream()
        .filter(e -> !e.name().equals(master) && !e.isCdcFed())
        .map(Endpoint::name)
        .toList();
  }

  private GroupProbe probe(String group) {
    GroupProbe probe = probes.get(group);
    if (probe == null) {
      if (probes.isEmpty()) {
        throw new SetupException(
            "unknown group '"
                + group
                + "': no replica groups are configured (add a replicas: section to "
                + (config.file() == null ? "the configuration" : config.file())
                + ")");
      }
      throw new SetupException(
          "unknown group '"
              + group
              + "'"
              + Names.didYouMean(group, probes.keySet())
              + " (groups: "
              + String.join(", ", probes.keySet())
              + ")");
    }
    return probe;
  }

  private static Endpoint node(GroupProbe probe, String node) {
    Endpoint e = probe.endpoints().get(node);
    if (e == null) {
      throw new SetupException(
          "group "
              + probe.config().name()
              + " has no node '"
              + node
              + "'"
              + Names.didYouMean(node, probe.endpoints().keySet())
              + " (nodes: "
              + String.join(", ", probe.endpoints().keySet())
              + ")");
    }
    return e;
  }

  private String master(String group) {
    Roles.Master running = roles.groups().get(group);
    GroupProbe probe = probes.get(group);
    ReplicaGroupConfig groupConfig = probe != null ? probe.config() : config.replicas().get(group);
    if (running != null
        && groupConfig.nodes().stream().anyMatch(n -> n.name().equals(running.master()))) {
      return running.master();
    }
    if (running != null) {
      LOG.warn(
          "{} names {} as the master of group {}, which has no such node; using the configured"
              + " master",
          rolesFile.path(),
          running.master(),
          group);
    }
    return configuredMaster(groupConfig);
  }

  private void reloadRolesIfChanged() {
    FileTime modified = rolesFile.modified();
    if (Objects.equals(modified, rolesModified)) {
      return;
    }
    Roles before = roles;
    Map<String, String> mastersBefore = new LinkedHashMap<>();
    probes.keySet().forEach(g -> mastersBefore.put(g, master(g)));
    rolesModified = modified;
    roles = rolesFile.read();
    for (Map.Entry<String, GroupProbe> e : probes.entrySet()) {
      String now = master(e.getKey());
      String was = mastersBefore.get(e.getKey());
      if (!now.equals(was)) {
        LOG.info(
            "{} changed: {} is now the master of group {} (was {})",
            rolesFile.path(),
            now,
            e.getKey(),
            was);
        synchronized (e.getValue()) {
          e.getValue().forget(now);
          e.getValue().forget(was);
        }
        pools.evict(e.getValue().endpoints().get(was));
        emit(
            new TopologyEvent(
                TopologyEvent.Type.PROMOTED,
                options.clock().instant(),
                e.getKey(),
                now,
                now
                    + " is the master of group "
                    + e.getKey()
                    + " (recorded by another process in "
                    + rolesFile.path().getFileName()
                    + "; was "
                    + was
                    + ")"));
      }
    }
    LOG.debug("roles reloaded: {} -> {}", before, roles);
  }

  private void emit(TopologyEvent event) {
    try (MDC.MDCCloseable group = MDC.putCloseable("group", event.group());
        MDC.MDCCloseable replica = MDC.putCloseable("replica", event.node())) {
      LOG.info("{}", event);
    }
    try {
      listener.accept(event);
    } catch (RuntimeException e) {
      LOG.warn("the topology event listener failed on {}", event, e);
    }
  }

  private static Endpoint sourceEndpoint(SluiceConfig config) {
    SourceConfig s = config.source();
    if (s == null || s.url() == null) {
      return null;
    }
    NodeConfig node =
        new NodeConfig(
            "source",
            NodeRole.MASTER,
            s.url(),
            s.user(),
            s.password(),
            null,
            LagTolerance.CAUGHT_UP);
    return Endpoint.of(config, "source", node);
  }

  private static Duration clamp(Duration poll) {
    Duration min = Duration.ofSeconds(1);
    Duration max = Duration.ofSeconds(5);
    return poll.compareTo(min) < 0 ? min : poll.compareTo(max) > 0 ? max : poll;
  }

  /** Stops the probes and closes every pool (connections handed out are closed by HikariCP). */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (GroupProbe probe : probes.values()) {
      synchronized (probe) {
        probe.close();
      }
    }
    pools.close();
  }
}
