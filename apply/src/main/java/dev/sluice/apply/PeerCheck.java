package dev.sluice.apply;

import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.TableSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * What {@code validate --dry-run} checks of a bidirectional rule, on this side (the source) and on
 * the peer (the target): both run PostgreSQL 14 or later with {@code track_commit_timestamp = on},
 * the peer's user may write under a replication origin, each table has the same shape on both
 * sides, and warns when a table's keys come from a plain sequence on both sides.
 */
public final class PeerCheck {

  /**
   * @param problems what stops the rule from running, each with its fix
   * @param warnings what runs but invites trouble (colliding generated keys)
   */
  public record Report(List<String> problems, List<String> warnings) {}

  private PeerCheck() {}

  /**
   * Checks a bidirectional rule. Changes nothing.
   *
   * @param source a connection to this side's database
   * @param tables the captured tables' shapes on this side
   */
  public static Report check(
      SluiceConfig config, RuleConfig rule, Connection source, List<TableSchema> tables) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    TargetConfig peer = config.targetOf(rule);
    String here = "this side (" + rule.node() + ")";
    String there = "the peer (" + peer.name() + ")";
    try (Connection target = connect(peer)) {
      server(source, here, problems);
      server(target, there, problems);
      if (!canWriteUnderOrigin(target)) {
        problems.add(
            "rule "
                + rule.name()
                + ": the peer's user "
                + peer.user()
                + " may not write under a replication origin; as a superuser run on "
                + peer.name()
                + ": GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text),"
                + " pg_replication_origin_session_setup(text),"
                + " pg_replication_origin_xact_setup(pg_lsn, timestamptz) TO "
                + peer.user()
                + " (or make it a superuser)");
      }
      for (TableSchema schema : tables) {
        if (rule.covers(schema.table())) {
          table(rule, schema.table(), source, target, problems, warnings);
        }
      }
    } catch (SQLException e) {
      problems.add(
          "rule "
              + rule.name()
              + ": cannot check the peer "
              + peer.name()
              + " ("
              + peer.maskedUrl()
              + "): "
              + e.getMessage());
    }
    return new Report(problems, warnings);
  }

  private static Connection connect(TargetConfig peer) throws SQLException {
    Properties properties = new Properties();
    if (peer.user() != null) {
      properties.setProperty("user", peer.user());
    }
    if (peer.password() != null) {
      properties.setProperty("password", peer.password().reveal());
    }
    properties.setProperty("ApplicationName", "sluice validate");
    return DriverManager.getConnection(peer.url(), properties);
  }

  private static void server(Connection connection, String side, List<String> problems)
      throws SQLException {
    int version = Integer.parseInt(setting(connection, "server_version_num"));
    if (version < 140000) {
      problems.add(
          side
              + " runs PostgreSQL "
              + setting(connection, "server_version")
              + "; bidirectional rules need 14 or later on both sides"
              + " (pg_xact_commit_timestamp_origin)");
      return;
    }
    if (!setting(connection, "track_commit_timestamp").equals("on")) {
      problems.add(
          side
              + " has track_commit_timestamp = off; last update wins needs it on both sides: ALTER"
              + " SYSTEM SET track_commit_timestamp = on; then restart the server");
    }
  }

  private static String setting(Connection connection, String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)")) {
      statement.setString(1, name);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    }
  }

  private static boolean canWriteUnderOrigin(Connection connection) throws SQLException {
    try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT rolsuper OR (has_function_privilege('pg_replication_origin_create(text)',"
                    + " 'EXECUTE') AND has_function_privilege("
                    + "'pg_replication_origin_session_setup(text)', 'EXECUTE') AND"
                    + " has_function_privilege("
                    + "'pg_replication_origin_xact_setup(pg_lsn, timestamptz)', 'EXECUTE'))"
                    + " FROM pg_roles WHERE rolname = current_user");
        ResultSet rows = statement.executeQuery()) {
      return rows.next() && rows.getBoolean(1);
    }
  }

  /** A column as both sides must agree on it. */
  private record Shape(String type, boolean key, String sequence, long increment, long start) {}

  private static final String SHAPE =
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
          + " coalesce(a.attnum = ANY(i.indkey), false),"
          + " pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
          + " a.attname), s.increment_by, s.start_value"
          + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
          + " JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
          + " LEFT JOIN pg_sequences s ON format('%I.%I', s.schemaname, s.sequencename)"
          + "   = pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
          + "     a.attname)"
          + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"
          + " ORDER BY a.attnum";

  private static Map<String, Shape> shape(Connection connection, TableName table)
      throws SQLException {
    Map<String, Shape> columns = new LinkedHashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(SHAPE)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          columns.put(
              rows.getString(1),
              new Shape(
                  rows.getString(2),
                  rows.getBoolean(3),
                  rows.getString(4),
                  rows.getLong(5),
                  rows.getLong(6)));
        }
      }
    }
    return columns;
  }

  private static void table(
      RuleConfig rule,
      TableName table,
      Connection source,
      Connection target,
      List<String> problems,
      List<String> warnings)
      throws SQLException {
    Map<String, Shape> here = shape(source, table);
    Map<String, Shape> there = shape(target, table);
    String prefix = "rule " + rule.name() + ": " + table;
    if (there.isEmpty()) {
      problems.add(
          prefix
              + " does not exist on the peer "
              + rule.target()
              + "; create it there with the same columns and key before both sides are written");
      return;
    }
    List<String> differences = new ArrayList<>();
    for (Map.Entry<String, Shape> column : here.entrySet()) {
      Shape other = there.get(column.getKey());
      Shape mine = column.getValue();
      if (other == null) {
        differences.add(column.getKey() + " is missing on the peer");
      } else if (!other.type().equals(mine.type()) || other.key() != mine.key()) {
        differences.add(
            column.getKey()
                + " is "
                + describe(mine)
                + " here and "
                + describe(other)
                + " on the peer");
      }
    }
    for (String column : there.keySet()) {
      if (!here.containsKey(column)) {
        differences.add(column + " exists only on the peer");
      }
    }
    if (!differences.isEmpty()) {
      problems.add(
          prefix
              + " differs in shape between the two sides: "
              + String.join("; ", differences)
              + " (both sides must have the same columns, types and primary key)");
      return;
    }
    for (Map.Entry<String, Shape> column : here.entrySet()) {
      Shape mine = column.getValue();
      Shape other = there.get(column.getKey());
      if (mine.key()
          && mine.sequence() != null
          && other.sequence() != null
          && collide(mine, other)) {
        warnings.add(
            prefix
                + "."
                + column.getKey()
                + " takes its values from a sequence on both sides ("
                + mine.sequence()
                + " INCREMENT "
                + mine.increment()
                + " START "
                + mine.start()
                + " here, INCREMENT "
                + other.increment()
                + " START "
                + other.start()
                + " on the peer): rows inserted on both sides will get the same keys; give each"
                + " side its own numbers (e.g. ALTER SEQUENCE ... INCREMENT BY 2 RESTART WITH 1 here"
                + " and WITH 2 on the peer) or use UUID keys");
      }
    }
  }

  /** Whether two sequences can hand out the same value. */
  private static boolean collide(Shape a, Shape b) {
    if (a.increment() != b.increment() || a.increment() <= 1) {
      return true;
    }
    return Math.floorMod(a.start(), a.increment()) == Math.floorMod(b.start(), b.increment());
  }

  private static String describe(Shape shape) {
    return Objects.requireNonNull(shape.type()) + (shape.key() ? " (key)" : "");
  }
}
