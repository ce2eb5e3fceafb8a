package dev.sluice.topology.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.sluice.topology.PoolUsage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One HikariCP pool per node, opened on first use (so nodes nobody reads from hold no connections).
 * Defaults: at most 10 connections, none kept idle when unused, the node's {@code connectTimeout}
 * (3 s unless configured, so a node that died between two probes fails fast) to get a connection,
 * start even when the node is down. The embedder's {@code settings} are applied last.
 *
 * <p>Thread-safe.
 */
public final class NodePools implements AutoCloseable {
  static final int DEFAULT_MAX = 10;

  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
  private final Set<Endpoint> retired = ConcurrentHashMap.newKeySet();
  private final List<HikariDataSource> draining = new CopyOnWriteArrayList<>();
  private final Consumer<HikariConfig> settings;
  private volatile boolean closed;

  public NodePools(Consumer<HikariConfig> settings) {
    this.settings = settings;
  }

  /** The pool of a node, opened when first asked for. */
  public HikariDataSource of(Endpoint node) {
    HikariDataSource pool = pools.get(key(node));
    return pool != null ? pool : pools.computeIfAbsent(key(node), k -> open(node));
  }

  /**
   * A connection from a node's pool.
   *
   * @throws SQLException when the pool cannot give one in the node's {@code connectTimeout}, or the
   *     node was removed ({@link #retire}) after the caller picked it
   */
  public Connection connection(Endpoint node) throws SQLException {
    if (retired.contains(node)) {
      throw new SQLException(
          "node " + node.name() + " was removed from group " + node.group(), "08003");
    }
    return of(node).getConnection();
  }

  /**
   * Retires a removed node's pool without dropping a connection in use: it gives out no more
   * connections, its idle ones close now, and each one in use closes when it is returned; the pool
   * itself closes once none is in use ({@link #drainRetired}).
   */
  public void retire(Endpoint node) {
    retired.add(node);
    HikariDataSource pool = pools.remove(key(node));
    if (pool != null) {
      pool.getHikariPoolMXBean().softEvictConnections();
      draining.add(pool);
    }
    drainRetired();
  }

  /** Takes a node back after {@link #retire} (added again): its next checkout opens a new pool. */
  public void restore(Endpoint node) {
    retired.remove(node);
  }

  /** Closes the retired pools none of whose connections is in use any more. */
  public void drainRetired() {
    for (HikariDataSource pool : draining) {
      HikariPoolMXBean bean = pool.getHikariPoolMXBean();
      if (bean == null || bean.getActiveConnections() == 0) {
        draining.remove(pool);
        pool.close();
      } else {
        bean.softEvictConnections();
      }
    }
  }

  /** How many retired pools still wait for connections in use to come back. */
  public int draining() {
    return draining.size();
  }

  private HikariDataSource open(Endpoint node) {
    if (closed) {
      throw new IllegalStateException("the topology is closed");
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("sluice-" + node.group() + "-" + node.name());
    config.setJdbcUrl(node.url());
    if (node.user() != null) {
      config.setUsername(node.user());
    }
    if (node.password() != null) {
      config.setPassword(node.password().reveal());
    }
    config.setMaximumPoolSize(DEFAULT_MAX);
    config.setMinimumIdle(0);
    long timeout = Math.max(250, node.node().connectTimeout().toMillis()); // HikariCP's minimum
    config.setConnectionTimeout(timeout);
    config.setInitializationFailTimeout(-1);
    if (node.isPostgres()) {
      String seconds =
          Integer.toString(dev.sluice.config.Durations.ceilSeconds(Duration.ofMillis(timeout)));
      config.addDataSourceProperty("ApplicationName", "sluice-" + node.group());
      config.addDataSourceProperty("connectTimeout", seconds);
      config.addDataSourceProperty("loginTimeout", seconds);
    }
    settings.accept(config);
    return new HikariDataSource(config);
  }

  /** The usage of a node's pool; zeros (and the default maximum) when it was never opened. */
  public PoolUsage usage(Endpoint node) {
    HikariDataSource pool = pools.get(key(node));
    if (pool == null) {
      return new PoolUsage(0, 0, DEFAULT_MAX);
    }
    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
    return bean == null
        ? new PoolUsage(0, 0, pool.getMaximumPoolSize())
        : new PoolUsage(
            bean.getActiveConnections(), bean.getIdleConnections(), pool.getMaximumPoolSize());
  }

  /**
   * Closes the idle connections of a node's pool and retires the others when they are returned
   * (after a promotion, for the old master).
   */
  public void evict(Endpoint node) {
    HikariDataSource pool = pools.get(key(node));
    if (pool != null) {
      pool.getHikariPoolMXBean().softEvictConnections();
    }
  }

  private static String key(Endpoint node) {
    return node.group() + "\u0000" + node.name();
  }

  @Override
  public void close() {
    closed = true;
    pools.values().forEach(HikariDataSource::close);
    draining.forEach(HikariDataSource::close);
    draining.clear();
    pools.clear();
  }
}
