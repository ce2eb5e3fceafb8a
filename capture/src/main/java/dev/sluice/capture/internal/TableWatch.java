package dev.sluice.capture.internal;

import dev.sluice.capture.SourceConnection;
import dev.sluice.capture.SourceTable;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TablePattern;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks on the source for tables created after capture started that {@code source.tables} covers (a
 * pattern such as {@code inventory.*}, or every table when the list is empty).
 *
 * <p>A new table that can be captured (a primary key, or REPLICA IDENTITY FULL or INDEX) is
 * reported, so that capture restarts with it. One that cannot is left out with a warning naming the
 * fix, once; it is reported when fixed. Thread-safe (capture may close it while it looks).
 */
public final class TableWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWatch.class);

  private final SourceConfig source;
  private final Set<TableName> captured;
  private final Set<TableName> warned = new HashSet<>();
  private Connection connection;

  /**
   * @param source the source's configuration
   * @param captured the tables capture runs with
   */
  public TableWatch(SourceConfig source, List<TableName> captured) {
    this.source = source;
    this.captured = Set.copyOf(captured);
  }

  /** Whether {@code source.tables} can cover tables that do not exist yet. */
  public static boolean isNeeded(SourceConfig source) {
    return source.tables().isEmpty() || source.tables().stream().anyMatch(p -> !p.isExact());
  }

  /**
   * The capturable tables the source has now that capture does not, in catalog order; empty when
   * none, or when the source cannot be asked now (tried again at the next call).
   */
  public synchronized List<TableName> newTables() {
    try {
      if (connection == null || connection.isClosed()) {
        connection = SourceConnection.open(source);
      }
      List<TableName> added = new ArrayList<>();
      for (SourceTable table : new SourceCatalog(connection).tables()) {
        if (captured.contains(table.name()) || !covered(table)) {
          continue;
        }
        if (table.isCapturable()) {
          added.add(table.name());
        } else if (warned.add(table.name())) {
          LOG.warn(
              "the new table {} matches source.tables but has no primary key and REPLICA IDENTITY"
                  + " {}: it is not captured; fix: ALTER TABLE {} REPLICA IDENTITY FULL;  -- or add"
                  + " a primary key",
              table.name(),
              table.identity(),
              SourceCatalog.quoted(table.name()));
        }
      }
      return added;
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cannot look for new tables on the source: {}", e.getMessage());
      close();
      return List.of();
    }
  }

  private boolean covered(SourceTable table) {
    if (source.tables().isEmpty()) {
      return table.hasPrimaryKey(); // every table: keyless ones are left out, as at start
    }
    return TablePattern.anyMatches(source.tables(), table.name());
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("closing the table watch's connection: {}", e.getMessage());
      }
      connection = null;
    }
  }
}
