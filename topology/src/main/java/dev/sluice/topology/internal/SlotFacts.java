package dev.sluice.topology.internal;

import dev.sluice.config.PostgresVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node knows about capture's logical slot, and on a standby the settings PostgreSQL 17 needs
 * to synchronise it ({@code sync_replication_slots}, {@code hot_standby_feedback}, {@code
 * primary_slot_name}, a {@code dbname} in {@code primary_conninfo}).
 *
 * <p>By major: {@code synced}, {@code failover} and {@code invalidation_reason} exist from 17 on
 * (before, no slot is ever synchronised, and invalidation is read from {@code conflicting} (16) and
 * {@code wal_status = 'lost'} (13+), named as 17 names it); the slot-sync settings exist from 17 on
 * (before, the standby's problem is its version).
 *
 * @param exists whether the slot is there
 * @param synced whether it was synchronised from the primary
 * @param temporary whether it is still temporary (a synchronised slot is, until the primary's slot
 *     has moved past the standby's position; promotion drops it then)
 * @param invalidation why it is invalidated, or null
 * @param confirmedFlush its confirmed position, or null
 * @param settingsProblems on a standby, what keeps it from synchronising slots (settings, or a
 *     major without failover slots)
 */
record SlotFacts(
    boolean exists,
    boolean synced,
    boolean temporary,
    String invalidation,
    String confirmedFlush,
    List<String> settingsProblems) {
  private static final String SLOT_17 =
      "SELECT synced, temporary, invalidation_reason, confirmed_flush_lsn::text"
          + " FROM pg_replication_slots WHERE slot_name = ? AND slot_type = 'logical'";
  private static final String SLOT_16 =
      "SELECT false, temporary, CASE WHEN conflicting THEN 'conflicting with recovery'"
          + " WHEN wal_status = 'lost' THEN 'wal_removed' END, confirmed_flush_lsn::text"
          + " FROM pg_replication_slots WHERE slot_name = ? AND slot_type = 'logical'";
  private static final String SLOT_13 =
      "SELECT false, temporary, CASE WHEN wal_status = 'lost' THEN 'wal_removed' END,"
          + " confirmed_flush_lsn::text"
          + " FROM pg_replication_slots WHERE slot_name = ? AND slot_type = 'logical'";

  boolean usable() {
    return exists && invalidation == null;
  }

  static SlotFacts onPrimary(Connection c, String slot) throws SQLException {
    return read(c, slot, List.of());
  }

  static SlotFacts onStandby(Connection c, String slot) throws SQLException {
    List<String> problems = new ArrayList<>();
    PostgresVersion version = PostgresVersion.of(c);
    if (!version.hasFailoverSlots()) {
      problems.add(
          "PostgreSQL "
              + version.major()
              + " does not synchronise logical slots to standbys (failover slots are PostgreSQL "
              + PostgresVersion.FAILOVER_SLOTS
              + " and newer)");
      return read(c, slot, problems);
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_setting('sync_replication_slots'),"
                    + " current_setting('hot_standby_feedback'),"
                    + " current_setting('primary_slot_name'),"
                    + " current_setting('primary_conninfo') ~ 'dbname'")) {
      rs.next();
      if (!"on".equals(rs.getString(1))) {
        problems.add("sync_replication_slots is off on the standby");
      }
      if (!"on".equals(rs.getString(2))) {
        problems.add("hot_standby_feedback is off on the standby");
      }
      if (rs.getString(3) == null || rs.getString(3).isEmpty()) {
        problems.add("the standby has no primary_slot_name");
      }
      if (!rs.getBoolean(4)) {
        problems.add("the standby's primary_conninfo has no dbname");
      }
    } catch (SQLException e) {
      problems.add("its settings cannot be read: " + Endpoint.firstLine(e.getMessage()));
    }
    return read(c, slot, problems);
  }

  private static SlotFacts read(Connection c, String slot, List<String> problems)
      throws SQLException {
    PostgresVersion version = PostgresVersion.of(c);
    String sql = version.hasFailoverSlots() ? SLOT_17 : version.atLeast(16) ? SLOT_16 : SLOT_13;
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, slot);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return new SlotFacts(false, false, false, null, null, problems);
        }
        return new SlotFacts(
            true,
            rs.getBoolean(1),
            rs.getBoolean(2),
            rs.getString(3),
            rs.getString(4),
            List.copyOf(problems));
      }
    }
  }

  /**
   * Whether the master's slot is a failover slot; null when it has no such slot, or its major has
   * no failover slots (the standby's facts say so), or it cannot be asked.
   */
  static Boolean failoverOnMaster(Connection c, String slot) {
    try {
      if (!PostgresVersion.of(c).hasFailoverSlots()) {
        return null;
      }
    } catch (SQLException e) {
      return null;
    }
    try (PreparedStatement st =
        c.prepareStatement("SELECT failover FROM pg_replication_slots WHERE slot_name = ?")) {
      st.setString(1, slot);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getBoolean(1) : null;
      }
    } catch (SQLException e) {
      return null;
    }
  }

  /** Why the slot did not make it to the promoted node, in words. */
  static String whyNotSynced(
      SlotFacts before, Boolean failoverOnMaster, SlotFacts after, String node) {
    List<String> reasons = new ArrayList<>();
    if (after.exists && after.invalidation != null) {
      reasons.add("it is invalidated: " + after.invalidation);
    }
    if (Boolean.FALSE.equals(failoverOnMaster)) {
      reasons.add(
          "the slot on the old master is not a failover slot (Debezium slot.failover=true, or"
              + " pg_create_logical_replication_slot(..., failover => true))");
    }
    if (before != null) {
      reasons.addAll(before.settingsProblems);
      if (before.exists && before.temporary) {
        reasons.add(
            "it was still being synchronised (temporary on "
                + node
                + ": the old master's slot had not yet moved past the standby's position), and"
                + " promotion dropped it");
      } else if (!before.exists && before.settingsProblems.isEmpty()) {
        reasons.add("it had not been synchronised to " + node + " yet");
      }
    }
    return reasons.isEmpty() ? "it was not synchronised" : String.join("; ", reasons);
  }
}
