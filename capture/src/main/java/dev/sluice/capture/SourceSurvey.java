package dev.sluice.capture;

import dev.sluice.capture.internal.SourceCatalog;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A look at a source database before anything is configured ({@code sluice init}): its settings,
 * the connected user's rights, every user table with its key and replica identity, the columns
 * whose values can be TOASTed, and every replication slot of the server. Immutable; reading it
 * changes nothing on the source.
 *
 * @param serverVersion the server's version (as it reports it when a connection starts)
 * @param walLevel {@code wal_level}
 * @param maxReplicationSlots {@code max_replication_slots}
 * @param user the connected user
 * @param canReplicate whether that user may open replication connections (REPLICATION or superuser)
 * @param tables every user table (Sluice's own excluded), by schema and name
 * @param toastableColumns per table, the columns whose large values are stored out of line; an
 *     UPDATE that leaves such a value unchanged does not carry it in the WAL
 * @param slots every replication slot of the server
 */
public record SourceSurvey(
    PostgresVersion serverVersion,
    String walLevel,
    int maxReplicationSlots,
    String user,
    boolean canReplicate,
    List<SourceTable> tables,
    Map<TableName, List<String>> toastableColumns,
    List<Slot> slots) {

  public SourceSurvey {
    tables = List.copyOf(tables);
    toastableColumns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(toastableColumns));
    slots = List.copyOf(slots);
  }

  /**
   * A replication slot of the server.
   *
   * @param name the slot
   * @param plugin its output plugin, or {@code physical} for a physical slot
   * @param database its database; empty for a physical slot
   * @param active whether a process reads it now
   * @param retainedBytes WAL the server keeps for it
   */
  public record Slot(
      String name, String plugin, String database, boolean active, long retainedBytes) {}

  /**
   * Surveys the database a connection is open to.
   *
   * @throws CaptureException when the catalog cannot be read
   */
  public static SourceSurvey of(Connection connection) {
    try {
      SourceCatalog catalog = new SourceCatalog(connection);
      return new SourceSurvey(
          PostgresVersion.of(connection),
          catalog.setting("wal_level"),
          Integer.parseInt(catalog.setting("max_replication_slots")),
          catalog.currentUser(),
          catalog.canReplicate(),
          catalog.tables(),
          catalog.toastableColumns(),
          catalog.slots().stream()
              .map(s -> new Slot(s.name(), s.plugin(), s.database(), s.active(), s.retainedBytes()))
              .toList());
    } catch (SQLException e) {
      throw new CaptureException("cannot survey the source: " + e.getMessage(), e);
    }
  }
}
