package dev.sluice.cli;

import dev.sluice.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random transactions on table {@code t} of one source database, on a thread of its own, until
 * closed: inserts, updates and deletes, 1 to 20 per transaction, now and then a 200-row insert,
 * about 300 transactions a second at most (a steady load, not a flood). When the source goes away
 * (a restart, a crash) it reconnects and goes on; a commit whose outcome is unknown is simply not
 * counted — tests compare the targets with the source, not with this class's figures.
 */
final class Workload implements AutoCloseable {
  static final String TABLE = "CREATE TABLE t(id bigserial PRIMARY KEY, v int NOT NULL, note text)";

  private final PostgresCluster pg;
  private final String database;
  private final Random random;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong changes = new AtomicLong();
  private final AtomicLong connectionsLost = new AtomicLong();
  private final Thread thread;
  private volatile RuntimeException failure;
  private long maxId;

  private Workload(PostgresCluster pg, String database, long seed) {
    this.pg = pg;
    this.database = database;
    this.random = new Random(seed);
    this.thread = new Thread(this::run, "workload-" + database);
  }

  /** Starts writing into {@code database.t} (which must exist). */
  static Workload start(PostgresCluster pg, String database, long seed) {
    Workload workload = new Workload(pg, database, seed);
    workload.thread.start();
    return workload;
  }

  long transactions() {
    return transactions.get();
  }

  long changes() {
    return changes.get();
  }

  long connectionsLost() {
    return connectionsLost.get();
  }

  private void run() {
    while (running.get()) {
      try (Connection connection = pg.connect(database)) {
        connection.setAutoCommit(false);
        while (running.get()) {
          int made = transaction(connection);
          connection.commit();
          transactions.incrementAndGet();
          changes.addAndGet(made);
          pause(3);
        }
      } catch (SQLException e) {
        connectionsLost.incrementAndGet();
        pause(100); // the source is restarting: try again shortly
      } catch (RuntimeException e) {
        failure = e;
        return;
      }
    }
  }

  private int transaction(Connection connection) throws SQLException {
    if (random.nextInt(200) == 0) {
      try (PreparedStatement bulk =
          connection.prepareStatement(
              "INSERT INTO t(v, note) SELECT g, 'bulk ' || g FROM generate_series(1, 200) g")) {
        bulk.executeUpdate();
        maxId += 200;
        return 200;
      }
    }
    int statements = 1 + random.nextInt(20);
    try (PreparedStatement insert =
            connection.prepareStatement("INSERT INTO t(v, note) VALUES (?, ?) RETURNING id");
        PreparedStatement update =
            connection.prepareStatement("UPDATE t SET v = v + 1, note = ? WHERE id = ?");
        PreparedStatement delete = connection.prepareStatement("DELETE FROM t WHERE id = ?")) {
      for (int i = 0; i < statements; i++) {
        int dice = random.nextInt(10);
        if (dice < 6 || maxId == 0) {
          insert.setInt(1, random.nextInt(1000));
          insert.setString(2, "n" + random.nextInt());
          try (ResultSet id = insert.executeQuery()) {
            id.next();
            maxId = Math.max(maxId, id.getLong(1));
          }
        } else if (dice < 9) {
          update.setString(1, "u" + random.nextInt());
          update.setLong(2, 1 + (long) (random.nextDouble() * maxId));
          update.executeUpdate();
        } else {
          delete.setLong(1, 1 + (long) (random.nextDouble() * maxId));
          delete.executeUpdate();
        }
      }
    }
    return statements;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops writing after the current transaction; fails when the workload itself failed. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join();
    if (failure != null) {
      throw new IllegalStateException("the workload failed", failure);
    }
  }
}
