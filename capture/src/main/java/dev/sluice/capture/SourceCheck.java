package dev.sluice.capture;

import dev.sluice.capture.internal.SourceCatalog;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.SetupException;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TablePattern;
import dev.sluice.journal.ReplicaIdentity;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks that the source can be captured as configured, and prepares it (publication, heartbeat
 * table). Every problem found is reported at once, each with the SQL or setting that fixes it.
 */
public final class SourceCheck {
  private SourceCheck() {}

  /**
   * Something that must change on the source before capture can start.
   *
   * @param message what is wrong
   * @param fix the SQL to run or the setting to change
   */
  public record Problem(String message, String fix) {
    @Override
    public String toString() {
      return message + "\n    fix: " + fix;
    }
  }

  /**
   * What the source looks like for capture.
   *
   * @param version the source's PostgreSQL version
   * @param tables the tables to capture
   * @param problems what must change first; empty when capture can start
   * @param notes things worth knowing that do not stop capture (tables skipped, ...)
   * @param slotExists whether the replication slot exists
   */
  public record Report(
      PostgresVersion version,
      List<SourceTable> tables,
      List<Problem> problems,
      List<String> notes,
      boolean slotExists) {
    public Report {
      tables = List.copyOf(tables);
      problems = List.copyOf(problems);
      notes = List.copyOf(notes);
    }

    public Set<TableName> tableNames() {
      return tables.stream().map(SourceTable::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * @throws SetupException listing every problem, when there is one
     */
    public Report orThrow() {
      if (!problems.isEmpty()) {
        throw new SetupException(
            "the source is not ready for capture:\n  "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("\n  ")));
      }
      return this;
    }
  }

  /**
   * Inspects the source.
   *
   * @param resuming whether capture has a stored position (then a missing slot means changes were
   *     missed)
   */
  public static Report inspect(SourceConfig source, Connection connection, boolean resuming) {
    try {
      SourceCatalog catalog = new SourceCatalog(connection);
      List<Problem> problems = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      PostgresVersion version = PostgresVersion.of(connection);
      Optional<String> refusal = version.refusal("the source");
      if (refusal.isPresent()) {
        // nothing else is asked: an older server lacks what the other checks read
        problems.add(
            new Problem(
                refusal.get(),
                "upgrade it to PostgreSQL "
                    + PostgresVersion.OLDEST_SUPPORTED_MAJOR
                    + " or newer, or point source.url at a server that runs one"));
        return new Report(version, List.of(), problems, notes, false);
      }
      version.note().ifPresent(notes::add);
      String walLevel = catalog.setting("wal_level");
      if (!walLevel.equals("logical")) {
        problems.add(
            new Problem(
                "wal_level is '" + walLevel + "' on the source; capture needs 'logical'",
                "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL"));
      }
      if (Integer.parseInt(catalog.setting("max_replication_slots")) == 0) {
        problems.add(
            new Problem(
                "max_replication_slots is 0 on the source",
                "ALTER SYSTEM SET max_replication_slots = 10; then restart PostgreSQL"));
      }
      String user = catalog.currentUser();
      if (!catalog.canReplicate()) {
        problems.add(
            new Problem(
                "the user '" + user + "' may not open replication connections",
                "ALTER ROLE " + SourceCatalog.quoteIdent(user) + " WITH REPLICATION;"));
      }
      List<SourceTable> tables = resolveTables(source, catalog.tables(), problems, notes);
      boolean slotExists = checkSlot(source, catalog, resuming, problems);
      return new Report(version, tables, problems, notes, slotExists);
    } catch (SQLException e) {
      throw new CaptureException("cannot inspect the source: " + e.getMessage(), e);
    }
  }

  /**
   * What stops capture from taking {@code source.tables}, as a start would say it (tables missing,
   * without a key, or with names the engine cannot read), without the checks of settings and slot:
   * for a running sidecar whose {@code source.tables} changes.
   */
  public static List<Problem> tableProblems(SourceConfig source, Connection connection) {
    try {
      List<Problem> problems = new ArrayList<>();
      resolveTables(source, new SourceCatalog(connection).tables(), problems, new ArrayList<>());
      return problems;
    } catch (SQLException e) {
      throw new CaptureException("cannot inspect the source: " + e.getMessage(), e);
    }
  }

  /**
   * The tables {@code source.tables} captures among {@code all}, as a start resolves them (what it
   * leaves out is said in {@code notes}); for a running capture looking for new tables.
   */
  public static List<SourceTable> capturedAmong(
      SourceConfig source, List<SourceTable> all, List<String> notes) {
    return resolveTables(source, all, new ArrayList<>(), notes);
  }

  private static List<SourceTable> resolveTables(
      SourceConfig source, List<SourceTable> all, List<Problem> problems, List<String> notes) {
    List<SourceTable> captured = new ArrayList<>();
    if (source.tables().isEmpty()) {
      for (SourceTable table : all) {
        if (table.hasPrimaryKey()) {
          captured.add(table);
        } else {
          notes.add(
              table.name()
                  + " has no primary key and is not captured (list it in source.tables to capture it)");
        }
      }
    } else {
      for (TablePattern pattern : source.tables()) {
        List<SourceTable> matched = all.stream().filter(t -> pattern.matches(t.name())).toList();
        if (matched.isEmpty() && pattern.isExact()) {
          problems.add(
              new Problem(
                  "the table " + pattern + " (source.tables) does not exist on the source",
                  "create it, or remove it from source.tables"));
        } else if (matched.isEmpty()) {
          notes.add("source.tables pattern " + pattern + " matches no table yet");
        }
        for (SourceTable table : matched) {
          if (!captured.contains(table)) {
            captured.add(table);
          }
        }
      }
    }
    for (SourceTable table : List.copyOf(captured)) {
      if (unreadableName(table.name())) {
        // the engine takes a name part that begins or ends with '"' for one already quoted and
        // leaves it unquoted in its snapshot query ("relation ... does not exist")
        String reason =
            "has a schema or table name that begins or ends with a double quote, which the"
                + " capture engine cannot read in a snapshot";
        String fix =
            "ALTER TABLE "
                + SourceCatalog.quoted(table.name())
                + " RENAME TO ...;  -- a name without a leading or trailing double quote";
        if (source.tables().stream().anyMatch(p -> p.isExact() && p.matches(table.name()))) {
          problems.add(new Problem(table.name() + " " + reason, fix));
        } else {
          captured.remove(table);
          notes.add(
              table.name()
                  + " matches source.tables but "
                  + reason
                  + ", so it is not captured; to capture it: "
                  + fix);
        }
        continue;
      }
      if (!table.isCapturable()) {
        String reason =
            table.identity() == ReplicaIdentity.NOTHING
                ? "has REPLICA IDENTITY NOTHING"
                : "has no primary key and REPLICA IDENTITY DEFAULT";
        String fix =
            "ALTER TABLE "
                + SourceCatalog.quoted(table.name())
                + " REPLICA IDENTITY FULL;  -- or add a primary key";
        boolean listed =
            source.tables().stream().anyMatch(p -> p.isExact() && p.matches(table.name()));
        if (listed) {
          problems.add(
              new Problem(
                  table.name() + " " + reason + ": its updates and deletes cannot be captured",
                  fix));
        } else {
          // matched by a pattern only: left out, as a table created later would be
          captured.remove(table);
          notes.add(
              table.name()
                  + " matches source.tables but "
                  + reason
                  + ", so it is not captured; to capture it: "
                  + fix);
        }
      }
    }
    if (captured.isEmpty() && problems.isEmpty()) {
      problems.add(
          new Problem(
              source.tables().isEmpty()
                  ? "the source database has no table with a primary key to capture"
                  : "source.tables matches no table on the source",
              "create the tables first, or fix source.tables"));
    }
    return captured;
  }

  private static boolean unreadableName(TableName name) {
    return edgeQuote(name.schema()) || edgeQuote(name.name());
  }

  private static boolean edgeQuote(String part) {
    return !part.isEmpty() && (part.charAt(0) == '"' || part.charAt(part.length() - 1) == '"');
  }

  private static boolean checkSlot(
      SourceConfig source, SourceCatalog catalog, boolean resuming, List<Problem> problems)
      throws SQLException {
    Optional<SourceCatalog.Slot> slot = catalog.slot(source.slot());
    String database = source.parsedUrl().database();
    if (slot.isEmpty()) {
      if (resuming) {
        problems.add(
            new Problem(
                "the replication slot '"
                    + source.slot()
                    + "' is gone, but Sluice captured from it before: changes made since it was dropped"
                    + " were not captured",
                "run 'sluice snapshot -c <config>' to re-create the slot and re-read the captured tables"));
      }
      return false;
    }
    SourceCatalog.Slot s = slot.get();
    for (int waited = 0; s.active() && waited < 100; waited++) {
      // a previous owner that is stopping releases the slot within moments
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      s = catalog.slot(source.slot()).orElse(s);
    }
    if (!"pgoutput".equals(s.plugin())) {
      problems.add(
          new Problem(
              "the replication slot '"
                  + s.name()
                  + "' uses the '"
                  + s.plugin()
                  + "' plugin; Sluice needs pgoutput",
              "SELECT pg_drop_replication_slot('"
                  + s.name()
                  + "');  -- or set source.slot to another name"));
    } else if (!database.equals(s.database())) {
      problems.add(
          new Problem(
              "the replication slot '"
                  + s.name()
                  + "' belongs to database '"
                  + s.database()
                  + "', not '"
                  + database
                  + "'",
              "set source.slot to another name"));
    } else if (s.active()) {
      problems.add(
          new Problem(
              "the replication slot '"
                  + s.name()
                  + "' is in use by another process (pid "
                  + s.activePid()
                  + ")",
              "stop the other Sluice (or client) using it, or set source.slot to another name"));
    }
    return true;
  }

  /**
   * A source table's shape from the catalog (the same types and value kinds capture journals), or
   * empty when the table does not exist.
   */
  public static Optional<dev.sluice.journal.TableSchema> describe(
      Connection connection, SourceTable table) {
    try {
      SourceCatalog catalog = new SourceCatalog(connection);
      java.util.Map<String, SourceCatalog.ColumnType> types = catalog.columns(table.name());
      if (types.isEmpty()) {
        return Optional.empty();
      }
      List<String> key = catalog.primaryKey(table.name());
      boolean generatedPublished = catalog.publishesGeneratedColumns();
      List<dev.sluice.journal.Column> columns = new ArrayList<>();
      for (java.util.Map.Entry<String, SourceCatalog.ColumnType> entry : types.entrySet()) {
        columns.add(
            dev.sluice.capture.internal.RecordMapper.columnOf(
                entry.getKey(), entry.getValue(), key.indexOf(entry.getKey()), generatedPublished));
      }
      return Optional.of(
          new dev.sluice.journal.TableSchema(0, table.name(), columns, table.identity()));
    } catch (SQLException e) {
      throw new CaptureException("cannot describe " + table.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A replication slot as the source reports it.
   *
   * @param name the slot
   * @param active whether a process reads it now
   * @param confirmedFlushLsn the position it confirmed ({@code X/Y}), or null
   * @param retainedBytes WAL the source keeps for it
   */
  public record SlotState(
      String name, boolean active, String confirmedFlushLsn, long retainedBytes) {}

  /** The configured slot, when it exists. */
  public static Optional<SlotState> slot(SourceConfig source, Connection connection) {
    try {
      return new SourceCatalog(connection)
          .slot(source.slot())
          .map(s -> new SlotState(s.name(), s.active(), s.confirmedFlushLsn(), s.retainedBytes()));
    } catch (SQLException e) {
      throw new CaptureException("cannot read the replication slot: " + e.getMessage(), e);
    }
  }

  /**
   * Creates what capture needs on the source: the heartbeat table (when heartbeats are on) and the
   * publication with exactly the captured tables.
   */
  public static void prepare(SourceConfig source, Connection connection, Report report) {
    SourceCatalog catalog = new SourceCatalog(connection);
    Set<TableName> published = report.tableNames();
    if (!source.heartbeat().isZero()) {
      try {
        catalog.ensureHeartbeatTable();
      } catch (SQLException e) {
        throw new SetupException(
            "cannot create the heartbeat table "
                + SourceCatalog.HEARTBEAT
                + " on the source: "
                + e.getMessage().lines().findFirst().orElse("")
                + "\n    fix: GRANT CREATE ON DATABASE "
                + SourceCatalog.quoteIdent(source.parsedUrl().database())
                + " TO "
                + SourceCatalog.quoteIdent(source.user())
                + ";  -- or set source.heartbeat: 0");
      }
      published.add(SourceCatalog.HEARTBEAT);
    }
    try {
      catalog.ensurePublication(source.publication(), published);
    } catch (SQLException e) {
      String options;
      try {
        options = " WITH (" + catalog.publicationOptions() + ")";
      } catch (SQLException versionUnknown) {
        options = " WITH (publish_via_partition_root = true)";
      }
      throw new SetupException(
          "cannot create or update the publication '"
              + source.publication()
              + "' on the source: "
              + e.getMessage().lines().findFirst().orElse("")
              + "\n    fix: as the tables' owner, CREATE PUBLICATION "
              + SourceCatalog.quoteIdent(source.publication())
              + " FOR TABLE "
              + String.join(", ", published.stream().map(SourceCatalog::quoted).toList())
              + options
              + ";");
    }
  }
}
