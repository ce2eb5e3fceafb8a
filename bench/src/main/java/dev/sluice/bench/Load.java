package dev.sluice.bench;

import dev.sluice.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The bulk load of the capture, end-to-end, replay and memory scenarios: rows of {@code (id bigint
 * primary key, payload text, amount numeric(12,2), created timestamptz)}, about 80 bytes each,
 * inserted in transactions of a fixed size by one session (the rows are made by the server, so the
 * load costs both sides the same).
 */
public final class Load {
  private Load() {}

  /** The table's definition, for the source and, when a side needs one, the target. */
  public static String createTable(String table) {
    return "CREATE TABLE public."
        + table
        + " (id bigint PRIMARY KEY, payload text NOT NULL, amount numeric(12,2) NOT NULL,"
        + " created timestamptz NOT NULL)";
  }

  /**
   * Inserts rows {@code firstId .. firstId + rows - 1} into {@code public.table}, {@code
   * rowsPerTransaction} per transaction; returns when all are committed.
   */
  public static void insert(
      PostgresCluster cluster, String table, long firstId, int rows, int rowsPerTransaction)
      throws SQLException {
    try (Connection c = cluster.connect(Clusters.DATABASE);
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO public."
                    + table
                    + " (id, payload, amount, created) SELECT g, md5(g::text), (g % 100000) / 100.0,"
                    + " now() FROM generate_series(?::bigint, ?::bigint) g")) {
      c.setAutoCommit(true);
      for (long from = firstId; from < firstId + rows; from += rowsPerTransaction) {
        long to = Math.min(firstId + rows - 1, from + rowsPerTransaction - 1);
        insert.setLong(1, from);
        insert.setLong(2, to);
        insert.executeUpdate();
      }
    }
  }

  /** Whether the row with this id exists in {@code database}'s {@code public.table}. */
  public static boolean hasRow(PostgresCluster cluster, String database, String table, long id) {
    Object found =
        cluster
            .queryIn(database, "SELECT count(*) FROM public." + table + " WHERE id = " + id)
            .get(0)
            .get(0);
    return ((Number) found).longValue() == 1;
  }

  public static long count(PostgresCluster cluster, String database, String table) {
    return ((Number)
            cluster.queryIn(database, "SELECT count(*) FROM public." + table).get(0).get(0))
        .longValue();
  }

  /** The source's current WAL position, as text ({@code 0/1A2B3C}). */
  public static String currentLsn(PostgresCluster cluster) {
    return (String) cluster.queryValue("SELECT pg_current_wal_lsn()::text");
  }

  /**
   * Drops a replication slot once no process uses it (a walsender may take a moment to exit after
   * its client stopped); does nothing when it does not exist.
   */
  public static void dropSlot(PostgresCluster cluster, String slot) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        cluster.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                + slot
                + "'");
        return;
      } catch (IllegalStateException e) {
        if (attempt >= 100) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
