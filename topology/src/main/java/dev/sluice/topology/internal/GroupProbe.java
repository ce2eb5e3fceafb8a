package dev.sluice.topology.internal;

import dev.sluice.config.NodeRole;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.ReplicaGroupConfig;
import dev.sluice.topology.AppliedPosition;
import dev.sluice.topology.AppliedPositions;
import dev.sluice.topology.GroupStatus;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.NodeStatus;
import dev.sluice.topology.TopologyEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Measures one group's lag, one round at a time, over one kept-open connection per node (so a probe
 * costs one small query per node, no new session):
 *
 * <ul>
 *   <li>the master: its current WAL position;
 *   <li>a streaming standby: its replay position, against the master's current position (when the
 *       master cannot be reached: against the last position seen from it, or what the standby
 *       received), and the time since its last replayed transaction while it is behind;
 *   <li>a CDC-fed slave: its rule's applied position (from {@link AppliedPositions}) against the
 *       source's current position, and the age of the oldest unapplied change; for a JDBC node,
 *       whether it answers.
 * </ul>
 *
 * Not thread-safe on its own: callers hold the group's lock ({@code synchronized} on this object).
 */
public final class GroupProbe implements AutoCloseable {
  private static final String MASTER_QUERY =
      "SELECT pg_is_in_recovery(), (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
          + " ELSE pg_current_wal_lsn() END)::text,"
          + " current_setting('default_transaction_read_only')";
  private static final String STANDBY_QUERY =
      "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
          + " pg_last_wal_receive_lsn()::text,"
          + " (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)"
          + "::bigint,"
          + " CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE '' END";

  /**
   * The same on PostgreSQL 13, which has no {@code pg_get_wal_replay_pause_state()} (14+): {@code
   * pg_is_wal_replay_paused()} tells paused from not (13 has no "pause requested").
   */
  private static final String STANDBY_QUERY_13 =
      "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
          + " pg_last_wal_receive_lsn()::text,"
          + " (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)"
          + "::bigint,"
          + " CASE WHEN NOT pg_is_in_recovery() THEN ''"
          + " WHEN pg_is_wal_replay_paused() THEN 'paused' ELSE 'not paused' END";

  private static final String SOURCE_QUERY =
      "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
          + " ELSE pg_current_wal_lsn() END)::text";

  private volatile ReplicaGroupConfig config;

  /** Replaced whole on every change (never modified), so readers without the lock see one. */
  private volatile Map<String, Endpoint> endpoints;

  private final Supplier<Endpoint> source;
  private final AppliedPositions applied;
  private final NodePools pools;
  private final Duration timeout;
  private final Consumer<TopologyEvent> events;
  private final Clock clock;
  private final Map<String, NodeProbe> probes = new LinkedHashMap<>();
  private ProbeConnection sourceConnection;
  private long lastMasterLsn = -1;

  /**
   * @param endpoints the group's nodes, in configuration order
   * @param source where capture reads now (the configured source, or the master promoted in its
   *     place), for the lag of CDC-fed slaves; it may return null
   * @param timeout the longest a probe waits for a node
   */
  public GroupProbe(
      ReplicaGroupConfig config,
      List<Endpoint> endpoints,
      Supplier<Endpoint> source,
      AppliedPositions applied,
      NodePools pools,
      Duration timeout,
      Consumer<TopologyEvent> events,
      Clock clock) {
    this.config = config;
    Map<String, Endpoint> byName = new LinkedHashMap<>();
    endpoints.forEach(e -> byName.put(e.name(), e));
    this.endpoints = java.util.Collections.unmodifiableMap(byName);
    this.source = source;
    this.applied = applied;
    this.pools = pools;
    this.timeout = timeout;
    this.events = events;
    this.clock = clock;
    endpoints.forEach(
        e -> probes.put(e.name(), new NodeProbe(e, new Freshness(config.hysteresis()), timeout)));
  }

  public ReplicaGroupConfig config() {
    return config;
  }

  public Map<String, Endpoint> endpoints() {
    return endpoints;
  }

  /** The view before any probe: every node down ("not probed yet"), reads to the master. */
  public GroupView initialView(String master) {
    List<NodeStatus> nodes = new ArrayList<>();
    for (Endpoint e : endpoints.values()) {
      nodes.add(status(e, master, NodeState.DOWN, -1, -1, null, "not probed yet"));
    }
    return view(master, nodes, List.of(), "not probed yet");
  }

  /** Probes every node once and returns the group's new view; emits state-change events. */
  public GroupView probe(String master) {
    Instant now = clock.instant();
    Endpoint masterEndpoint = endpoints.get(master);
    NodeProbe masterProbe = probes.get(master);
    MasterReading reading = readMaster(masterProbe);
    if (reading.lsn >= 0) {
      lastMasterLsn = reading.lsn;
    }
    List<NodeStatus> nodes = new ArrayList<>();
    List<GroupView.Candidate> fresh = new ArrayList<>();
    List<String> notFresh = new ArrayList<>();
    long sourceLsn = -1;
    boolean sourceRead = false;
    for (Endpoint e : endpoints.values()) {
      NodeProbe p = probes.get(e.name());
      NodeStatus s;
      if (e.name().equals(master)) {
        NodeState state =
            reading.error != null
                ? NodeState.DOWN
                : reading.inRecovery ? NodeState.STALE : NodeState.UP;
        p.freshness.measured(true, now);
        s = status(e, master, state, 0, 0, now, reading.detail());
      } else if (e.isCdcFed()) {
        if (!sourceRead) {
          sourceLsn = sourceLsn(masterEndpoint, reading);
          sourceRead = true;
        }
        s = probeCdcFed(e, p, master, sourceLsn, now);
      } else {
        s = probeStandby(e, p, master, reading, now);
      }
      emitIfChanged(p, s);
      nodes.add(s);
      if (!e.name().equals(master)) {
        if (s.state() == NodeState.UP && e.isJdbc()) {
          fresh.add(new GroupView.Candidate(e, s.lagBytes(), s.lagMillis()));
        } else {
          notFresh.add(e.name() + " " + s.state().yamlName() + explain(s));
        }
      }
    }
    return view(master, nodes, fresh, String.join("; ", notFresh));
  }

  private static String explain(NodeStatus s) {
    if (!s.detail().isEmpty()) {
      return ": " + s.detail();
    }
    return s.lagBytes() >= 0
        ? ": " + Lsn.bytes(s.lagBytes()) + ", " + Lsn.millis(s.lagMillis()) + " behind"
        : "";
  }

  private GroupView view(
      String master, List<NodeStatus> nodes, List<GroupView.Candidate> fresh, String whyNoFresh) {
    NodeState masterState =
        nodes.stream()
            .filter(n -> n.name().equals(master))
            .map(NodeStatus::state)
            .findFirst()
            .orElse(NodeState.DOWN);
    List<NodeStatus> withPools = new ArrayList<>();
    for (NodeStatus n : nodes) {
      Endpoint e = endpoints.get(n.name());
      withPools.add(e.isJdbc() ? n.withPool(pools.usage(e)) : n);
    }
    GroupStatus status =
        new GroupStatus(
            config.name(),
            config.routing(),
            config.hysteresis(),
            master,
            fresh.stream().map(c -> c.endpoint().name()).toList(),
            fresh.isEmpty(),
            withPools);
    return new GroupView(
        config.name(),
        config.routing(),
        endpoints.get(master),
        masterState,
        fresh,
        fresh.isEmpty() ? whyNoFresh : "",
        status);
  }

  private NodeStatus status(
      Endpoint e,
      String master,
      NodeState state,
      long lagBytes,
      long lagMillis,
      Instant probedAt,
      String detail) {
    return new NodeStatus(
        config.name(),
        e.name(),
        e.configuredRole(),
        e.name().equals(master) ? NodeRole.MASTER : NodeRole.SLAVE,
        e.dialect(),
        e.node().fedBy(),
        state,
        lagBytes,
        lagMillis,
        probedAt,
        null,
        e.host(),
        e.port(),
        e.database(),
        detail);
  }

  private void emitIfChanged(NodeProbe p, NodeStatus s) {
    if (p.reported != s.state()) {
      p.reported = s.state();
      String lag =
          s.isMaster() || s.lagBytes() < 0
              ? ""
              : " (" + Lsn.bytes(s.lagBytes()) + ", " + Lsn.millis(s.lagMillis()) + " behind)";
      events.accept(
          new TopologyEvent(
              TopologyEvent.Type.STATE,
              clock.instant(),
              config.name(),
              s.name(),
              s.name()
                  + " is "
                  + s.state().yamlName()
                  + lag
                  + (s.detail().isEmpty() ? "" : ": " + s.detail())));
    }
  }

  private record MasterReading(long lsn, boolean inRecovery, boolean readOnly, String error) {
    String detail() {
      if (error != null) {
        return error;
      }
      if (inRecovery) {
        return "in recovery: a standby, not a master";
      }
      return readOnly ? "read-only (default_transaction_read_only = on)" : "";
    }
  }

  private MasterReading readMaster(NodeProbe p) {
    if (!p.endpoint.isPostgres()) {
      String error = p.connection.ping();
      return new MasterReading(-1, false, false, error);
    }
    try (Statement st = p.connection.get().createStatement();
        ResultSet rs = st.executeQuery(MASTER_QUERY)) {
      rs.next();
      return new MasterReading(
          Lsn.parse(rs.getString(2)), rs.getBoolean(1), "on".equals(rs.getString(3)), null);
    } catch (SQLException e) {
      p.connection.reset();
      return new MasterReading(-1, false, false, Endpoint.firstLine(e.getMessage()));
    }
  }

  private long sourceLsn(Endpoint master, MasterReading reading) {
    Endpoint now = source.get();
    if (now == null) {
      return -1;
    }
    if (master.isPostgres()
        && now.sameDatabaseAs(master.host(), master.port(), master.database())) {
      return reading.lsn;
    }
    if (sourceConnection == null || !sourceConnection.endpoint.equals(now)) {
      if (sourceConnection != null) {
        sourceConnection.reset();
      }
      sourceConnection = new ProbeConnection(now, timeout);
    }
    try (Statement st = sourceConnection.get().createStatement();
        ResultSet rs = st.executeQuery(SOURCE_QUERY)) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    } catch (SQLException e) {
      sourceConnection.reset();
      return -1;
    }
  }

  private NodeStatus probeStandby(
      Endpoint e, NodeProbe p, String master, MasterReading masterReading, Instant now) {
    if (!e.isPostgres()) {
      String error = p.connection.ping();
      return error == null
          ? status(e, master, p.freshness.measured(false, now), -1, -1, now, "not PostgreSQL")
          : status(e, master, p.freshness.unreachable(), -1, -1, now, error);
    }
    try (Statement st = p.connection.get().createStatement();
        ResultSet rs =
            st.executeQuery(p.connection.major() >= 14 ? STANDBY_QUERY : STANDBY_QUERY_13)) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return status(
            e,
            master,
            p.freshness.measured(false, now),
            -1,
            -1,
            now,
            "not in recovery: it does not replicate from the master (a former master? rejoin"
                + " it with sluice rejoin)");
      }
      long replay = Lsn.parse(rs.getString(2));
      String received = rs.getString(3);
      long replayAge = rs.getLong(4);
      boolean ageKnown = !rs.wasNull();
      String pause = rs.getString(5);
      long reference = masterReading.lsn;
      if (reference < 0) {
        reference = Math.max(lastMasterLsn, received == null ? -1 : Lsn.parse(received));
      }
      long bytes = Math.max(0, reference - replay);
      long millis;
      if (bytes == 0) {
        millis = 0;
        p.lastCaughtUp = now;
      } else {
        Instant since = p.lastCaughtUp != null ? p.lastCaughtUp : p.firstSeen(now);
        long sinceCaughtUp = Duration.between(since, now).toMillis();
        millis =
            ageKnown && p.lastCaughtUp == null
                ? Math.max(0, replayAge)
                : ageKnown ? Math.max(0, Math.min(replayAge, sinceCaughtUp)) : sinceCaughtUp;
      }
      boolean within = e.lagTolerance().allows(bytes, millis);
      String detail = "not paused".equals(pause) ? "" : "replay " + pause;
      if (masterReading.error != null) {
        detail =
            (detail.isEmpty() ? "" : detail + "; ")
                + "master unreachable: lag measured"
                + " against the last position seen";
      }
      if (!within) {
        detail =
            (detail.isEmpty() ? "" : detail + "; ") + "over its lagTolerance " + e.lagTolerance();
      }
      return status(e, master, p.freshness.measured(within, now), bytes, millis, now, detail);
    } catch (SQLException ex) {
      p.connection.reset();
      return status(
          e, master, p.freshness.unreachable(), -1, -1, now, Endpoint.firstLine(ex.getMessage()));
    }
  }

  private NodeStatus probeCdcFed(
      Endpoint e, NodeProbe p, String master, long sourceLsn, Instant now) {
    if (e.isJdbc()) {
      String error = p.connection.ping();
      if (error != null) {
        return status(e, master, p.freshness.unreachable(), -1, -1, now, error);
      }
    }
    Optional<AppliedPosition> position = applied.of(e.node().fedBy());
    if (position.isEmpty() || sourceLsn < 0) {
      String why =
          position.isEmpty()
              ? "lag unknown: rule " + e.node().fedBy() + " has reported no applied position"
              : "lag unknown: the source cannot be reached";
      return status(e, master, p.freshness.measured(false, now), -1, -1, now, why);
    }
    AppliedPosition at = position.get();
    long bytes = Math.max(0, sourceLsn - at.appliedLsn());
    long millis =
        at.oldestUnappliedCommitTime() == null
            ? 0
            : Math.max(0, Duration.between(at.oldestUnappliedCommitTime(), now).toMillis());
    boolean within = e.lagTolerance().allows(bytes, millis);
    String detail = within ? "" : "over its lagTolerance " + e.lagTolerance();
    return status(e, master, p.freshness.measured(within, now), bytes, millis, now, detail);
  }

  /**
   * Adds a slave at run time: it counts as down ("not probed yet") until the next round measures
   * it, then goes through catching-up like a node that came back.
   */
  public void add(Endpoint e) {
    changeEndpoints(m -> m.put(e.name(), e));
    probes.put(e.name(), new NodeProbe(e, new Freshness(config.hysteresis()), timeout));
    config = withNodes(endpoints.values().stream().map(Endpoint::node).toList());
  }

  /** Removes a node: its probe connection is closed; the caller retires its pool. */
  public Endpoint remove(String node) {
    Endpoint e = endpoints.get(node);
    changeEndpoints(m -> m.remove(node));
    NodeProbe p = probes.remove(node);
    if (p != null) {
      p.connection.reset();
    }
    config = withNodes(endpoints.values().stream().map(Endpoint::node).toList());
    return e;
  }

  /**
   * Replaces a node's endpoint by one that reaches the same database with other settings ({@code
   * lagTolerance}, {@code connectTimeout}): its measurements and connection are kept.
   */
  public void replace(Endpoint e) {
    NodeProbe old = probes.get(e.name());
    changeEndpoints(m -> m.put(e.name(), e));
    NodeProbe p = new NodeProbe(e, old.freshness, old.connection);
    p.reported = old.reported;
    p.lastCaughtUp = old.lastCaughtUp;
    p.firstSeen = old.firstSeen;
    probes.put(e.name(), p);
    config = withNodes(endpoints.values().stream().map(Endpoint::node).toList());
  }

  /** Changes the group's routing strategy and hysteresis (from the next view on). */
  public void reconfigure(dev.sluice.config.RoutingStrategy routing, Duration hysteresis) {
    config = new ReplicaGroupConfig(config.name(), routing, hysteresis, config.nodes());
    probes.values().forEach(p -> p.freshness.hysteresis(hysteresis));
  }

  private void changeEndpoints(Consumer<Map<String, Endpoint>> change) {
    Map<String, Endpoint> copy = new LinkedHashMap<>(endpoints);
    change.accept(copy);
    endpoints = java.util.Collections.unmodifiableMap(copy);
  }

  private ReplicaGroupConfig withNodes(List<dev.sluice.config.NodeConfig> nodes) {
    return new ReplicaGroupConfig(config.name(), config.routing(), config.hysteresis(), nodes);
  }

  /** Forgets a node's measurements (after it changed role), so its state starts afresh. */
  public void forget(String node) {
    NodeProbe old = probes.get(node);
    old.connection.reset();
    probes.put(node, new NodeProbe(old.endpoint, new Freshness(config.hysteresis()), timeout));
  }

  @Override
  public void close() {
    probes.values().forEach(p -> p.connection.reset());
    if (sourceConnection != null) {
      sourceConnection.reset();
    }
  }

  /** What the probe keeps about one node between rounds. */
  private static final class NodeProbe {
    final Endpoint endpoint;
    final Freshness freshness;
    final ProbeConnection connection;
    NodeState reported;
    Instant lastCaughtUp;
    Instant firstSeen;

    NodeProbe(Endpoint endpoint, Freshness freshness, Duration timeout) {
      this(endpoint, freshness, new ProbeConnection(endpoint, timeout));
    }

    NodeProbe(Endpoint endpoint, Freshness freshness, ProbeConnection connection) {
      this.endpoint = endpoint;
      this.freshness = freshness;
      this.connection = connection;
    }

    Instant firstSeen(Instant now) {
      if (firstSeen == null) {
        firstSeen = now;
      }
      return firstSeen;
    }
  }

  /** One kept-open connection, reopened after a failure. */
  private static final class ProbeConnection {
    private final Endpoint endpoint;
    private final Duration timeout;
    private Connection connection;
    private int major;

    ProbeConnection(Endpoint endpoint, Duration timeout) {
      this.endpoint = endpoint;
      this.timeout = timeout;
    }

    Connection get() throws SQLException {
      if (connection == null) {
        connection = endpoint.connect(timeout);
        connection.setAutoCommit(true);
        major = endpoint.isPostgres() ? PostgresVersion.of(connection).major() : 0;
      }
      return connection;
    }

    /** The PostgreSQL major of the open connection (0 for another kind of node). */
    int major() throws SQLException {
      get();
      return major;
    }

    /** Null when the node answers, else why not. */
    String ping() {
      try {
        if (get().isValid((int) Math.max(1, timeout.toSeconds()))) {
          return null;
        }
        reset();
        return "does not answer";
      } catch (SQLException e) {
        reset();
        return Endpoint.firstLine(e.getMessage());
      }
    }

    void reset() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          // already broken
        }
        connection = null;
      }
    }
  }
}
