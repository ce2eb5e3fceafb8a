package dev.sluice.topology.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that picks a node at every {@link #getConnection()} and hands out a
 * connection from that node's pool. Closing the connection returns it to that pool. Thread-safe.
 */
public final class RoutedDataSource implements DataSource {
  private final String description;
  private final Supplier<Endpoint> route;
  private final Supplier<Endpoint> fallback;
  private final NodePools pools;

  /**
   * @param description e.g. "reads of group app", for {@link #toString()}
   * @param route the node for the next connection
   * @param fallback where to go when the routed node cannot give a connection (the master for
   *     reads), or null for no second try
   */
  public RoutedDataSource(
      String description, Supplier<Endpoint> route, Supplier<Endpoint> fallback, NodePools pools) {
    this.description = description;
    this.route = route;
    this.fallback = fallback;
    this.pools = pools;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Endpoint node = route.get();
    try {
      return pools.connection(node);
    } catch (SQLException e) {
      Endpoint second = fallback == null ? null : fallback.get();
      if (second == null || second.equals(node)) {
        throw e;
      }
      try {
        return pools.connection(second);
      } catch (SQLException again) {
        again.addSuppressed(e);
        throw again;
      }
    }
  }

  /** Not supported: every node's credentials come from the configuration. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "the routing DataSource uses the credentials of each node's configuration");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // connections are logged through SLF4J by HikariCP
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    throw new SQLFeatureNotSupportedException("set timeouts on the node pools");
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("HikariCP logs through SLF4J");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper of " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }

  @Override
  public String toString() {
    return "routing DataSource for " + description;
  }
}
