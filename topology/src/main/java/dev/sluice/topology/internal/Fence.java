package dev.sluice.topology.internal;

import dev.sluice.config.PostgresVersion;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes a master stop accepting writes while it stays up: {@code ALTER SYSTEM SET
 * default_transaction_read_only = on} (persisted in {@code postgresql.auto.conf}, so a restart of
 * the old master does not make it writable again), a configuration reload, then every client
 * session is ended (replication connections are kept so standbys receive its last WAL).
 *
 * <p>Why not stop it: Sluice reaches nodes over SQL only, and stopping needs the server's host; a
 * running, read-only old master also keeps serving its WAL to the standby being promoted and can be
 * unfenced if the promotion is refused. Its rights: superuser, or {@code ALTER SYSTEM} granted on
 * the parameter plus {@code pg_signal_backend}.
 */
final class Fence {
  /** How long the fence waits for each ended session to exit. */
  private static final long END_WAIT_MILLIS = 1000;

  private Fence() {}

  /**
   * Fences the master behind {@code c}.
   *
   * @return how many client sessions were ended
   */
  static int apply(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("ALTER SYSTEM SET default_transaction_read_only = on");
      st.execute("SELECT pg_reload_conf()");
      awaitSetting(st, "on");
      if (!PostgresVersion.of(c).atLeast(14)) {
        return endSessions13(c);
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, "
                  + END_WAIT_MILLIS
                  + ")) FROM pg_stat_activity"
                  + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Ends the client sessions on PostgreSQL 13, whose {@code pg_terminate_backend} cannot wait (its
   * timeout is 14+): signals them, then waits until they are gone from {@code pg_stat_activity} (a
   * backend leaves it as it exits, after its last transaction), {@link #END_WAIT_MILLIS} at most,
   * so that no session writes after the fence's last WAL position is read.
   */
  private static int endSessions13(Connection c) throws SQLException {
    Array ended;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT coalesce(array_agg(pid) FILTER (WHERE pg_terminate_backend(pid)), '{}')"
                    + " FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
      rs.next();
      ended = rs.getArray(1);
    }
    int count = ((Integer[]) ended.getArray()).length;
    long deadline = System.nanoTime() + END_WAIT_MILLIS * 1_000_000L;
    try (PreparedStatement left =
        c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY (?)")) {
      left.setArray(1, ended);
      while (count > 0) {
        try (ResultSet rs = left.executeQuery()) {
          rs.next();
          if (rs.getInt(1) == 0 || System.nanoTime() > deadline) {
            break;
          }
        }
        pause();
      }
    }
    return count;
  }

  /** Undoes {@link #apply}: the master accepts writes again (new sessions at once). */
  static void lift(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("ALTER SYSTEM RESET default_transaction_read_only");
      st.execute("SELECT pg_reload_conf()");
      awaitSetting(st, "off");
    }
  }

  /**
   * Waits until this session sees the reloaded value: the postmaster has then reloaded too, so
   * every session started from now on gets it.
   */
  private static void awaitSetting(Statement st, String value) throws SQLException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (ResultSet rs = st.executeQuery("SHOW default_transaction_read_only")) {
        rs.next();
        if (value.equals(rs.getString(1))) {
          return;
        }
      }
      pause();
    }
  }

  private static void pause() throws SQLException {
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while fencing", e);
    }
  }
}
