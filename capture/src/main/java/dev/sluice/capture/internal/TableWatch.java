package dev.sluice.capture.internal;

import dev.sluice.capture.SourceCheck;
import dev.sluice.capture.SourceConnection;
import dev.sluice.capture.SourceTable;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks on the source for tables created after capture started that {@code source.tables} covers (a
 * pattern such as {@code inventory.*}, or every table when the list is empty).
 *
 * <p>Tables are resolved as a start resolves them ({@link SourceCheck#capturedAmong}): a new table
 * that can be captured is reported, so that capture restarts with it; one left out (no key nor full
 * identity) is warned about once, with the fix, and reported once fixed. Thread-safe (capture may
 * close it while it looks).
 */
public final class TableWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TableWatch.class);

  private final SourceConfig source;
  private final Set<TableName> captured;
  private final Set<String> warned;
  private Connection connection;

  /**
   * @param source the source's configuration
   * @param captured the tables capture runs with
   * @param notes what the start said about tables it left out (not said again)
   */
  public TableWatch(SourceConfig source, Collection<TableName> captured, List<String> notes) {
    this.source = source;
    this.captured = Set.copyOf(captured);
    this.warned = new HashSet<>(notes);
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
      List<String> notes = new ArrayList<>();
      List<TableName> added = new ArrayList<>();
      for (SourceTable table :
          SourceCheck.capturedAmong(source, new SourceCatalog(connection).tables(), notes)) {
        if (!captured.contains(table.name()) && table.isCapturable()) {
          added.add(table.name());
        }
      }
      for (String note : notes) {
        if (warned.add(note)) {
          LOG.warn("{}", note);
        }
      }
      return added;
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cannot look for new tables on the source: {}", e.getMessage());
      close();
      return List.of();
    }
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
