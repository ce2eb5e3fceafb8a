package dev.sluice.topology;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** What the topology tests share: configurations from YAML, waiting, and asking a DataSource. */
final class Clusters {
  private Clusters() {}

  /** A configuration whose source is {@code source} and whose {@code replicas:} is given. */
  static SluiceConfig config(Path dir, PostgresCluster source, String rest) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source:
          url: %s
          user: postgres
        journal: { dir: journal }
        state: state/sluice-state.json
        %s
        """
            .formatted(source.jdbcUrl(), rest));
    return new ConfigLoader(java.util.Map.of()).load(file);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      sleep(20);
    }
  }

  static <T> T awaitValue(String what, Duration timeout, Supplier<T> value) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      sleep(20);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The port of the server a connection from {@code ds} reaches. */
  static int serverPort(DataSource ds) {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('port')::int")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  static NodeStatus node(Topology topology, String group, String node) {
    return topology.status(group).nodes().stream()
        .filter(n -> n.name().equals(node))
        .findFirst()
        .orElseThrow();
  }

  /** A background writer: one small insert every few milliseconds until closed. */
  static final class Workload implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long rows;

    Workload(PostgresCluster db, String table) {
      thread =
          new Thread(
              () -> {
                try (Connection c = db.connect();
                    Statement st = c.createStatement()) {
                  while (running) {
                    st.execute("INSERT INTO " + table + "(v) VALUES (repeat('x', 200))");
                    rows++;
                    Thread.sleep(5);
                  }
                } catch (SQLException | InterruptedException e) {
                  if (running) {
                    throw new IllegalStateException(e);
                  }
                }
              },
              "workload");
      thread.start();
    }

    long rows() {
      return rows;
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
