package dev.sluice.capture.internal;

import dev.sluice.capture.SourceTable;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.TableName;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourceType;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads (and, for capture's own objects, writes) the source's catalog over a JDBC connection it
 * does not own. Not thread-safe.
 */
public final class SourceCatalog {
  /** The schema of Sluice's heartbeat table on the source. */
  public static final String OWN_SCHEMA = "sluice";

  public static final TableName HEARTBEAT = new TableName(OWN_SCHEMA, "heartbeat");

  private final Connection connection;

  public SourceCatalog(Connection connection) {
    this.connection = connection;
  }

  /**
   * A column as the catalog types it.
   *
   * @param missingValue the value, in text form, that rows which existed when the column was added
   *     with a non-volatile default read (PostgreSQL's {@code attmissingval}, filled without WAL
   *     rows); null when there is none
   * @param sourceType the exact type, with the definitions of the types it needs
   * @param generatedExpression the expression of a generated (stored) column; otherwise null
   */
  public record ColumnType(
      String formatted,
      String baseFormatted,
      char typtype,
      List<String> enumLabels,
      boolean notNull,
      String missingValue,
      SourceType sourceType,
      String generatedExpression) {
    /** The type to use: the base type of a domain, else the type itself. */
    public String effective() {
      return baseFormatted != null ? baseFormatted : formatted;
    }
  }

  /** A replication slot. */
  public record Slot(
      String name,
      String plugin,
      String database,
      boolean active,
      Integer activePid,
      String confirmedFlushLsn,
      long retainedBytes) {}

  public String setting(String name) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)")) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** The server's version, as it reported it when the connection started (no query). */
  public PostgresVersion version() throws SQLException {
    return PostgresVersion.of(connection);
  }

  /** Whether the connected user may open replication connections. */
  public boolean canReplicate() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  public String currentUser() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Every ordinary or partitioned user table, except Sluice's own. */
  public List<SourceTable> tables() throws SQLException {
    String sql =
        """
        SELECT n.nspname, c.relname, c.relreplident,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'sluice')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        ORDER BY 1, 2
        """;
    List<SourceTable> tables = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        tables.add(
            new SourceTable(
                new TableName(rs.getString(1), rs.getString(2)),
                rs.getBoolean(4),
                ReplicaIdentity.ofCatalogCode(rs.getString(3).charAt(0))));
      }
    }
    return tables;
  }

  /** The partitioned tables among {@code tables}, in their order. */
  public List<TableName> partitioned(Collection<TableName> tables) throws SQLException {
    List<TableName> ordered = List.copyOf(tables);
    List<TableName> partitioned = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT r.n FROM unnest(?::text[]) WITH ORDINALITY r(name, n)"
                + " JOIN pg_class c ON c.oid = to_regclass(r.name) AND c.relkind = 'p'"
                + " ORDER BY r.n")) {
      statement.setArray(
          1,
          connection.createArrayOf(
              "text", ordered.stream().map(SourceCatalog::quoted).toArray(String[]::new)));
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          partitioned.add(ordered.get(rs.getInt(1) - 1));
        }
      }
    }
    return partitioned;
  }

  /**
   * The partitions, at any depth, of the partitioned tables among {@code tables} that were attached
   * to their tree by a transaction other than the one that created them ({@code ALTER TABLE ...
   * ATTACH PARTITION}, as opposed to {@code CREATE TABLE ... PARTITION OF}): PostgreSQL writes no
   * change for the rows such a table held before, so only a snapshot can read them.
   *
   * @return each attachment as {@code "<partition oid>:<attaching xid>"} (a partition detached and
   *     attached again is a new attachment) → the table of {@code tables} it belongs to
   */
  public Map<String, TableName> attachedPartitions(Collection<TableName> tables)
      throws SQLException {
    String sql =
        """
        SELECT r.n, i.inhrelid::text || ':' || i.xmin::text
        FROM unnest(?::text[]) WITH ORDINALITY r(root, n)
        JOIN pg_class rc ON rc.oid = to_regclass(r.root) AND rc.relkind = 'p'
        CROSS JOIN LATERAL pg_partition_tree(rc.oid) t
        JOIN pg_inherits i ON i.inhrelid = t.relid
        JOIN pg_class pc ON pc.oid = t.relid
        JOIN pg_type ty ON ty.oid = pc.reltype
        WHERE ty.xmin::text <> i.xmin::text
        ORDER BY r.n, t.level, i.inhrelid
        """;
    List<TableName> ordered = List.copyOf(tables);
    Map<String, TableName> attached = new LinkedHashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(
          1,
          connection.createArrayOf(
              "text", ordered.stream().map(SourceCatalog::quoted).toArray(String[]::new)));
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          attached.put(rs.getString(2), ordered.get(rs.getInt(1) - 1));
        }
      }
    }
    return attached;
  }

  /** The columns of a table by name, in order; empty when the table does not exist. */
  public Map<String, ColumnType> columns(TableName table) throws SQLException {
    String sql =
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typtype,
               CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
               (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e
                 WHERE e.enumtypid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE a.atttypid END),
               a.attnotnull,
               CASE WHEN a.atthasmissing THEN (a.attmissingval::text::text[])[1] END,
               a.atttypid, a.atttypmod, a.attndims,
               (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
                 WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.attgenerated = 's')
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = to_regclass(format('%I.%I', ?, ?)) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;
    Map<String, ColumnType> columns = new LinkedHashMap<>();
    Map<String, long[]> typeOids = new java.util.HashMap<>();
    SourceTypes types = new SourceTypes(connection);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          Array labels = rs.getArray(5);
          List<String> enumLabels =
              labels == null ? List.of() : List.of((String[]) labels.getArray());
          columns.put(
              rs.getString(1),
              new ColumnType(
                  rs.getString(2),
                  rs.getString(4),
                  rs.getString(3).charAt(0),
                  enumLabels,
                  rs.getBoolean(6),
                  rs.getString(7),
                  null,
                  rs.getString(11)));
          typeOids.put(rs.getString(1), new long[] {rs.getLong(8), rs.getInt(9), rs.getInt(10)});
        }
      }
    }
    for (Map.Entry<String, ColumnType> entry : columns.entrySet()) {
      long[] type = typeOids.get(entry.getKey());
      ColumnType column = entry.getValue();
      entry.setValue(
          new ColumnType(
              column.formatted(),
              column.baseFormatted(),
              column.typtype(),
              column.enumLabels(),
              column.notNull(),
              column.missingValue(),
              types.of(type[0], (int) type[1], (int) type[2]),
              column.generatedExpression()));
    }
    return columns;
  }

  /** The primary key's columns in key order; empty when there is none. */
  public List<String> primaryKey(TableName table) throws SQLException {
    String sql =
        """
        SELECT a.attname FROM pg_index i
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = to_regclass(format('%I.%I', ?, ?)) AND i.indisprimary
        ORDER BY k.n
        """;
    List<String> key = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          key.add(rs.getString(1));
        }
      }
    }
    return key;
  }

  public Optional<Slot> slot(String name) throws SQLException {
    String sql =
        """
        SELECT slot_name, plugin, database, active, active_pid, confirmed_flush_lsn::text,
               COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint
        FROM pg_replication_slots WHERE slot_name = ?
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(slot(rs));
      }
    }
  }

  /** Drops an inactive replication slot. */
  public void dropSlot(String name) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
      statement.setString(1, name);
      statement.execute();
    }
  }

  /** A slot from a row of {@code slot_name, plugin, database, active, pid, confirmed, retained}. */
  private static Slot slot(ResultSet rs) throws SQLException {
    Integer pid = rs.getObject(5) == null ? null : rs.getInt(5);
    return new Slot(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getBoolean(4),
        pid,
        rs.getString(6),
        rs.getLong(7));
  }

  /** Every replication slot of the server (any database, any kind), by name. */
  public List<Slot> slots() throws SQLException {
    String sql =
        """
        SELECT slot_name, COALESCE(plugin, slot_type), COALESCE(database, ''), active, active_pid,
               confirmed_flush_lsn::text,
               COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint
        FROM pg_replication_slots ORDER BY slot_name
        """;
    List<Slot> slots = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        slots.add(slot(rs));
      }
    }
    return slots;
  }

  /**
   * The columns of user tables whose values can be stored out of line (TOAST: storage other than
   * plain), by table, in column order.
   */
  public Map<TableName, List<String>> toastableColumns() throws SQLException {
    String sql =
        """
        SELECT n.nspname, c.relname, a.attname
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0
          AND NOT a.attisdropped AND a.attstorage <> 'p'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'sluice')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        ORDER BY n.nspname, c.relname, a.attnum
        """;
    Map<TableName, List<String>> columns = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        columns
            .computeIfAbsent(
                new TableName(rs.getString(1), rs.getString(2)), t -> new ArrayList<>())
            .add(rs.getString(3));
      }
    }
    return columns;
  }

  /** The tables of a publication, or empty when it does not exist. */
  public Optional<Set<TableName>> publicationTables(String publication) throws SQLException {
    try (PreparedStatement exists =
        connection.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
      exists.setString(1, publication);
      try (ResultSet rs = exists.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
      }
    }
    Set<TableName> tables = new TreeSet<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
      statement.setString(1, publication);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          tables.add(new TableName(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return Optional.of(tables);
  }

  /**
   * Creates the heartbeat schema and table when absent. One that exists (prepared by the tables'
   * owner, so that a publication it owns can hold it) is left alone: creating nothing needs no
   * CREATE privilege.
   */
  public void ensureHeartbeatTable() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT to_regclass('" + quoted(HEARTBEAT).replace("'", "''") + "') IS NOT NULL")) {
      rs.next();
      if (rs.getBoolean(1)) {
        return;
      }
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA IF NOT EXISTS " + OWN_SCHEMA);
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + quoted(HEARTBEAT)
              + " (slot text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())");
    }
  }

  /**
   * Creates the publication with exactly these tables, or sets its tables when it exists; and sets
   * its options: changes of a partitioned table's partitions are published as changes of the
   * partitioned table ({@code publish_via_partition_root}, so that they carry the name capture
   * knows the table by, whichever partition a row is in, and partitions attached later are
   * published too), and on PostgreSQL 18 and later the values of generated columns are published
   * ({@code publish_generated_columns = stored}).
   */
  public void ensurePublication(String publication, Set<TableName> tables) throws SQLException {
    String list = String.join(", ", tables.stream().map(SourceCatalog::quoted).toList());
    Optional<Set<TableName>> existing = publicationTables(publication);
    String options = publicationOptions();
    try (Statement statement = connection.createStatement()) {
      if (existing.isEmpty()) {
        statement.execute(
            "CREATE PUBLICATION "
                + quoteIdent(publication)
                + " FOR TABLE "
                + list
                + " WITH ("
                + options
                + ")");
        return;
      }
      if (!existing.get().equals(tables)) {
        statement.execute("ALTER PUBLICATION " + quoteIdent(publication) + " SET TABLE " + list);
      }
      if (!hasPublicationOptions(publication)) {
        try {
          statement.execute(
              "ALTER PUBLICATION " + quoteIdent(publication) + " SET (" + options + ")");
        } catch (SQLException e) {
          // a publication its tables' owner prepared without them (least privilege): they matter
          // only for partitioned tables and, from PostgreSQL 18, stored generated columns
          if (!"42501".equals(e.getSQLState()) || needsPublicationOptions(tables)) {
            throw e;
          }
        }
      }
    }
  }

  /** Whether one of {@code tables} is partitioned, or (from 18) has a stored generated column. */
  private boolean needsPublicationOptions(Set<TableName> tables) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ANY (?::regclass[])"
                + " AND (c.relkind = 'p' OR (? AND EXISTS (SELECT 1 FROM pg_attribute a"
                + " WHERE a.attrelid = c.oid AND a.attgenerated = 's' AND NOT a.attisdropped))))")) {
      statement.setArray(
          1,
          connection.createArrayOf(
              "text", tables.stream().map(SourceCatalog::quoted).toArray(String[]::new)));
      statement.setBoolean(2, version().atLeast(18));
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The options Sluice's publication needs ({@code WITH (...)}), for this server's version. */
  public String publicationOptions() throws SQLException {
    return "publish_via_partition_root = true"
        + (version().atLeast(18) ? ", publish_generated_columns = stored" : "");
  }

  private boolean hasPublicationOptions(String publication) throws SQLException {
    String generated = version().atLeast(18) ? " AND pubgencols = 's'" : "";
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT 1 FROM pg_publication WHERE pubname = ? AND pubviaroot" + generated)) {
      statement.setString(1, publication);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Whether the source's change stream carries generated columns' values: PostgreSQL 18 and later,
   * whose publication Sluice sets to publish them.
   */
  public boolean publishesGeneratedColumns() throws SQLException {
    return version().atLeast(18);
  }

  /**
   * The statement a snapshot reads a table with: every column under its own name, those whose
   * values the engine would read through JDBC objects (dates, intervals, arrays, geometric,
   * domains, everything but booleans, integers, floats, character strings and bytea) as the text of
   * their type's output function ({@code ::text} is not always that: {@code inet::text} adds the
   * netmask), {@code money} as its plain decimal, so that the journal gets exactly what PostgreSQL
   * prints; null when the table does not exist.
   */
  public String snapshotSelect(TableName table) throws SQLException {
    String sql =
        """
        SELECT 'SELECT ' || string_agg(
                 CASE WHEN a.atttypid IN (16, 20, 21, 23, 700, 701, 17, 25, 1042, 1043)
                        THEN quote_ident(a.attname)
                      WHEN a.atttypid = 790
                        THEN quote_ident(a.attname) || '::numeric::text AS ' || quote_ident(a.attname)
                      ELSE quote_ident(pn.nspname) || '.' || quote_ident(p.proname) || '('
                        || quote_ident(a.attname)
                        || CASE WHEN p.proargtypes[0] = a.atttypid OR at.typtype = 'p' THEN ''
                                ELSE '::' || format_type(p.proargtypes[0], NULL) END
                        || ')::text AS ' || quote_ident(a.attname) END,
                 ', ' ORDER BY a.attnum)
               || ' FROM ' || quote_ident(?) || '.' || quote_ident(?)
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        JOIN pg_proc p ON p.oid = t.typoutput
        JOIN pg_type at ON at.oid = p.proargtypes[0]
        JOIN pg_namespace pn ON pn.oid = p.pronamespace
        WHERE a.attrelid = to_regclass(format('%I.%I', ?, ?)) AND a.attnum > 0 AND NOT a.attisdropped
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, table.schema());
      statement.setString(2, table.name());
      statement.setString(3, table.schema());
      statement.setString(4, table.name());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  public long currentWalLsn() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** {@code "schema"."table"}. */
  public static String quoted(TableName table) {
    return quoteIdent(table.schema()) + "." + quoteIdent(table.name());
  }

  public static String quoteIdent(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
