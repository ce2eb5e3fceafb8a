package dev.sluice.capture.internal;

import dev.sluice.capture.SourceConnection;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.journal.Column;
import dev.sluice.journal.PgText;
import dev.sluice.journal.ReplicaIdentity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to the source for capture's own questions (catalog lookups, the slot's position),
 * reopened when it breaks. Thread-safe: calls are serialised.
 */
public final class SourceProbe
    implements RecordMapper.CatalogLookup, AddedTablesSnapshot.Source, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceProbe.class);

  private final SourceConfig source;
  private Connection connection;

  public SourceProbe(SourceConfig source) {
    this.source = source;
  }

  private synchronized SourceCatalog catalog() throws SQLException {
    if (connection == null || !connection.isValid(2)) {
      closeQuietly();
      connection = SourceConnection.open(source);
      try (java.sql.Statement statement = connection.createStatement()) {
        // the text forms the journal holds (see ExactValues)
        statement.execute(
            "SET DateStyle = ISO; SET IntervalStyle = iso_8601; SET bytea_output = hex;"
                + " SET extra_float_digits = 3");
      }
    }
    return new SourceCatalog(connection);
  }

  @Override
  public synchronized int majorVersion() throws SQLException {
    return catalog().version().major();
  }

  @Override
  public synchronized Map<String, String> rowText(
      TableName table,
      java.util.List<Column> key,
      Object[] keyValues,
      java.util.List<String> columns,
      long txId)
      throws SQLException {
    catalog();
    StringBuilder sql = new StringBuilder("SELECT xmin::text::bigint");
    for (String column : columns) {
      sql.append(", ").append(SourceCatalog.quoteIdent(column)).append("::text");
    }
    sql.append(" FROM ").append(SourceCatalog.quoted(table)).append(" WHERE ");
    for (int k = 0; k < key.size(); k++) {
      Column column = key.get(k);
      String type =
          column.sourceType() != null ? column.sourceType().expression() : column.pgType();
      sql.append(k > 0 ? " AND " : "")
          .append(SourceCatalog.quoteIdent(column.name()))
          .append(" = CAST(? AS ")
          .append(type)
          .append(')');
    }
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      for (int k = 0; k < key.size(); k++) {
        statement.setString(k + 1, PgText.format(keyValues[k], key.get(k)));
      }
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next() || rs.getLong(1) != (txId & 0xFFFF_FFFFL)) {
          return Map.of();
        }
        Map<String, String> texts = new java.util.HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
          texts.put(columns.get(i), rs.getString(i + 2));
        }
        return texts;
      }
    }
  }

  @Override
  public synchronized Map<String, SourceCatalog.ColumnType> columns(TableName table)
      throws SQLException {
    return catalog().columns(table);
  }

  @Override
  public synchronized ReplicaIdentity identity(TableName table) throws SQLException {
    catalog();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT relreplident FROM pg_class WHERE oid = to_regclass(format('%I.%I', ?, ?))")) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next()
            ? ReplicaIdentity.ofCatalogCode(rs.getString(1).charAt(0))
            : ReplicaIdentity.DEFAULT;
      }
    }
  }

  @Override
  public synchronized long oldestRunningXid() throws SQLException {
    return longQuery("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint");
  }

  @Override
  public synchronized Optional<String> describeTransaction(long xid) throws SQLException {
    catalog();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT pid, xact_start, state FROM pg_stat_activity"
                + " WHERE backend_xid::text::bigint = ? % 4294967296")) {
      statement.setLong(1, xid);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next()
            ? Optional.of(
                "pid "
                    + rs.getInt(1)
                    + ", open since "
                    + rs.getTimestamp(2).toInstant()
                    + ", "
                    + rs.getString(3))
            : Optional.empty();
      }
    }
  }

  private long longQuery(String sql) throws SQLException {
    catalog();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The statement a snapshot reads each table with ({@link SourceCatalog#snapshotSelect}), for the
   * tables that exist.
   */
  public synchronized Map<TableName, String> snapshotSelects(java.util.Collection<TableName> tables)
      throws SQLException {
    SourceCatalog catalog = catalog();
    Map<TableName, String> selects = new java.util.LinkedHashMap<>();
    for (TableName table : tables) {
      String select = catalog.snapshotSelect(table);
      if (select != null) {
        selects.put(table, select);
      }
    }
    return selects;
  }

  @Override
  public synchronized boolean publishesGeneratedColumns() throws SQLException {
    return catalog().publishesGeneratedColumns();
  }

  /** The slot now, or empty when it does not exist or the source cannot be asked. */
  public synchronized Optional<SourceCatalog.Slot> slot() {
    try {
      return catalog().slot(source.slot());
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cannot read the slot's position: {}", e.getMessage());
      closeQuietly();
      return Optional.empty();
    }
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("closing the probe connection", e);
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
