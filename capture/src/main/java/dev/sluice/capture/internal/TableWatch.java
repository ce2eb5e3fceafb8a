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
 * pattern such as {@code inventory.*}, or every table when the list is empty), and for partitions
 * attached to a captured partitioned table since ({@link SourceCatalog#attachedPartitions}): the
 * rows such a partition held before are in no change, so its table is read again.
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
  private final List<TableName> partitioned;
  private final Set<String> attachments;
  private Connection connection;

  /**
   * @param source the source's configuration
   * @param captured the tables capture runs with
   * @param notes what the start said about tables it left out (not said again)
   * @param partitioned the partitioned tables among {@code captured}
   * @param attachments the partitions attached to them when capture started ({@link
   *     SourceCatalog#attachedPartitions})
   */
  public TableWatch(
      SourceConfig source,
      Collection<TableName> captured,
      List<String> notes,
      List<TableName> partitioned,
      Set<String> attachments) {
    this.source = source;
    this.captured = Set.copyOf(captured);
    this.warned = new HashSet<>(notes);
    this.partitioned = List.copyOf(partitioned);
    this.attachments = Set.copyOf(attachments);
  }

  /**
   * Whether there is anything to watch: {@code source.tables} can cover tables that do not exist
   * yet, or a captured table is partitioned.
   */
  public static boolean isNeeded(SourceConfig source, List<TableName> partitioned) {
    return !partitioned.isEmpty()
        || source.tables().isEmpty()
        || source.tables().stream().anyMatch(p -> !p.isExact());
  }

  /**
   * The capturable tables the source has now that capture does not, in catalog order, then the
   * captured partitioned tables with a partition attached since capture started; empty when none,
   * or when the source cannot be asked now (tried again at the next call).
   */
  public synchronized List<TableName> newTables() {
    try {
      if (connection == null || connection.isClosed()) {
        connection = SourceConnection.open(source);
      }
      SourceCatalog catalog = new SourceCatalog(connection);
      List<String> notes = new ArrayList<>();
      List<TableName> added = new ArrayList<>();
      if (isNeeded(source, List.of())) {
        for (SourceTable table : SourceCheck.capturedAmong(source, catalog.tables(), notes)) {
          if (!captured.contains(table.name()) && table.isCapturable()) {
            added.add(table.name());
          }
        }
      }
      for (String note : notes) {
        if (warned.add(note)) {
          LOG.warn("{}", note);
        }
      }
      if (!partitioned.isEmpty()) {
        for (var attached : catalog.attachedPartitions(partitioned).entrySet()) {
          if (!attachments.contains(attached.getKey()) && !added.contains(attached.getValue())) {
            LOG.info(
                "a partition was attached to {}: the rows it held before are in no change, so"
                    + " the table is read again",
                attached.getValue());
            added.add(attached.getValue());
          }
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
