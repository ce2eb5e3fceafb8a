package dev.sluice.apply.internal;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.TargetException;
import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.config.SqlFailure;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Column;
import dev.sluice.journal.Lsn;
import dev.sluice.journal.Unavailable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** A PostgreSQL, MySQL/MariaDB or SQLite target over JDBC. Used by one thread. */
public final class SqlTarget implements Target {
  private final TargetConfig config;
  private final SqlDialect dialect;
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private final List<String> notes = new ArrayList<>();
  private Savepoint savepoint;

  /** The replication origin's id this connection writes under, or 0 for none. */
  private int originId;

  private SqlTarget(TargetConfig config, SqlDialect dialect, Connection connection) {
    this.config = config;
    this.dialect = dialect;
    this.connection = connection;
  }

  /**
   * Connects and creates the checkpoint table when absent.
   *
   * @throws TargetException retriable when the target cannot be reached
   */
  public static SqlTarget connect(TargetConfig config) throws TargetException {
    SqlDialect dialect = SqlDialect.of(config.dialect());
    Connection connection = null;
    try {
      connection = open(config);
      try (Statement statement = connection.createStatement()) {
        for (String sql : dialect.createCheckpointTable()) {
          statement.execute(sql);
        }
      }
      connection.setAutoCommit(false);
      return new SqlTarget(config, dialect, connection);
    } catch (SQLException e) {
      closeQuietly(connection);
      throw failure(
          "cannot connect to target " + config.name() + " (" + config.maskedUrl() + ")", e);
    } catch (java.io.IOException e) {
      throw new TargetException(
          "cannot create the directory of target " + config.name() + ": " + e.getMessage(),
          false,
          e);
    }
  }

  private static Connection open(TargetConfig config) throws SQLException, java.io.IOException {
    Properties properties = new Properties();
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password().reveal());
    }
    String url = config.url();
    switch (config.dialect()) {
      case POSTGRESQL -> {
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("ApplicationName", "sluice");
        String seconds =
            Integer.toString(dev.sluice.config.Durations.ceilSeconds(config.connectTimeout()));
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
      }
      case MYSQL -> {
        if (url.startsWith("jdbc:mysql:")) {
          url = "jdbc:mariadb:" + url.substring("jdbc:mysql:".length());
        }
        properties.setProperty(
            "connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toMillis())));
      }
      case SQLITE -> {
        String file = url.substring("jdbc:sqlite:".length());
        if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:")) {
          Path parent = Path.of(file).toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
        }
      }
      default -> throw new IllegalArgumentException(config.dialect() + " is not SQL");
    }
    Connection connection = DriverManager.getConnection(url, properties);
    try (Statement statement = connection.createStatement()) {
      if (config.dialect() == Dialect.MYSQL) {
        statement.execute("SET SESSION time_zone = '+00:00'");
        statement.execute(
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO'");
      } else if (config.dialect() == Dialect.SQLITE) {
        statement.execute("PRAGMA journal_mode = WAL");
        statement.execute("PRAGMA synchronous = NORMAL");
        statement.execute("PRAGMA busy_timeout = 30000");
      } else if (asynchronousCommit(config)) {
        statement.execute("SET synchronous_commit = off");
      }
    }
    return connection;
  }

  /**
   * Whether the apply session commits without waiting for the target's WAL flush (PostgreSQL's
   * {@code synchronous_commit = off}, as native logical replication's apply worker does by
   * default), unless the target's URL sets {@code synchronous_commit} itself (in its {@code
   * options}).
   *
   * <p>Safe because the rule's checkpoint is written in the same target transaction as the rows: a
   * crash of the target loses at most the last few commits (three times {@code wal_writer_delay}),
   * rows and checkpoint together, never one without the other, and the rule applies them again from
   * the journal when it reconnects (it reads its checkpoint from the target on every connect).
   * Closing the session makes everything committed in it durable (see {@link #close}).
   */
  static boolean asynchronousCommit(TargetConfig config) {
    return config.dialect() == Dialect.POSTGRESQL && !config.url().contains("synchronous_commit");
  }

  @Override
  public Dialect dialect() {
    return dialect.dialect();
  }

  @Override
  public TypeMapping map(Column column, boolean key) {
    return dialect.map(column, key);
  }

  @Override
  public boolean transactionalDdl() {
    return dialect.dialect() != Dialect.MYSQL;
  }

  @Override
  public Optional<Checkpoint> checkpoint(String rule) throws TargetException {
    try {
      PreparedStatement statement = statement(dialect.readCheckpoint());
      statement.setString(1, rule);
      try (ResultSet rs = statement.executeQuery()) {
        Optional<Checkpoint> checkpoint =
            rs.next()
                ? Optional.of(new Checkpoint(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                : Optional.empty();
        connection.commit();
        return checkpoint;
      }
    } catch (SQLException e) {
      throw failure(
          "cannot read the checkpoint of rule " + rule + " from target " + config.name(), e);
    }
  }

  /** The target table's columns with their widths, or null when the table does not exist. */
  private Map<String, ColumnWidth> existingColumns(TargetTable table) throws SQLException {
    String catalog = dialect.dialect() == Dialect.MYSQL ? connection.getCatalog() : null;
    Map<String, ColumnWidth> columns = new HashMap<>();
    boolean found = false;
    try (ResultSet rs =
        connection.getMetaData().getColumns(catalog, table.schema(), table.name(), null)) {
      while (rs.next()) {
        boolean sameSchema =
            table.schema() == null || table.schema().equals(rs.getString("TABLE_SCHEM"));
        if (sameSchema && table.name().equals(rs.getString("TABLE_NAME"))) {
          found = true;
          String typeName = rs.getString("TYPE_NAME");
          columns.put(
              rs.getString("COLUMN_NAME"),
              ColumnWidth.ofMetadata(
                  typeName == null ? "" : typeName,
                  rs.getInt("COLUMN_SIZE"),
                  rs.getInt("DECIMAL_DIGITS")));
        }
      }
    }
    return found ? columns : null;
  }

  @Override
  public boolean needsPreparation(TableMapping mapping, TableMapping previous, boolean newerWins)
      throws TargetException {
    try {
      if (dialect instanceof PostgresDialect) {
        List<String> missing = PostgresDialect.missingTypes(connection, mapping.columns());
        if (!missing.isEmpty()) {
          throw new TargetException(
              "cannot create "
                  + mapping.target()
                  + " on target "
                  + config.name()
                  + ": "
                  + String.join("; ", missing),
              false,
              null);
        }
      }
      return !plan(mapping, previous, newerWins).isEmpty();
    } catch (SQLException e) {
      throw failure(
          "cannot read the columns of " + mapping.target() + " on target " + config.name(), e);
    }
  }

  /**
   * The DDL that makes the target table fit a schema version: create it, add the columns it lacks,
   * and widen a column whose type the source widened (int to bigint, varchar(10) to varchar(50),
   * numeric precision up) before the first row that needs it. A column is never narrowed: when the
   * source narrowed its type, the target keeps the wider one, and {@link #takeNotes} says so.
   */
  private List<String> plan(TableMapping mapping, TableMapping previous, boolean newerWins)
      throws SQLException {
    notes.clear();
    Map<String, ColumnWidth> existing = existingColumns(mapping.target());
    if (existing == null) {
      return dialect.createTable(mapping, newerWins);
    }
    List<String> statements = new ArrayList<>();
    if (dialect instanceof PostgresDialect postgres) {
      statements.addAll(postgres.createMissingTypes(connection, mapping.columns()));
    }
    for (int i = 0; i < mapping.columns().size(); i++) {
      Column column = mapping.columns().get(i);
      ColumnWidth current = existing.get(column.name());
      if (current == null) {
        statements.add(dialect.addColumn(mapping, column));
        if (column.defaultText() != null
            && dialect.defaultLiteral(column, dialect.map(column, false).targetType()) == null) {
          notes.add(
              "column "
                  + column.name()
                  + " of "
                  + mapping.source().table()
                  + " was added with the default "
                  + column.defaultText()
                  + ", which a "
                  + column.kind().name().toLowerCase(java.util.Locale.ROOT)
                  + " column of "
                  + mapping.target()
                  + " cannot be given; rows that existed before keep it empty there");
        }
        continue;
      }
      String wanted = dialect.typeOf(mapping, i).targetType();
      Column before = previous == null ? null : findColumn(previous, column.name());
      boolean retyped = before != null && !before.pgType().equals(column.pgType());
      switch (current.compare(ColumnWidth.ofDeclared(wanted))) {
        case WIDER -> addIfPresent(statements, dialect.alterColumnType(mapping, i));
        case NARROWER -> {
          if (retyped) {
            notes.add(
                "column "
                    + column.name()
                    + " of "
                    + mapping.source().table()
                    + " changed from "
                    + before.pgType()
                    + " to "
                    + column.pgType()
                    + " on the source; "
                    + mapping.target()
                    + " keeps its wider type (a column is never narrowed)");
          }
        }
        case UNRELATED -> {
          if (retyped
              && !dialect
                  .map(before, false)
                  .targetType()
                  .equals(dialect.map(column, false).targetType())) {
            addIfPresent(statements, dialect.alterColumnType(mapping, i));
          }
        }
        case SAME -> {}
      }
    }
    if (newerWins && !existing.containsKey(SqlDialect.COMMIT_TIME_COLUMN)) {
      statements.add(
          "ALTER TABLE "
              + dialect.qualified(mapping.target())
              + " ADD COLUMN "
              + dialect.quote(SqlDialect.COMMIT_TIME_COLUMN)
              + " BIGINT");
    }
    return statements;
  }

  private static void addIfPresent(List<String> statements, String statement) {
    if (statement != null) {
      statements.add(statement);
    }
  }

  @Override
  public List<String> takeNotes() {
    List<String> taken = List.copyOf(notes);
    notes.clear();
    return taken;
  }

  private static Column findColumn(TableMapping mapping, String name) {
    for (Column column : mapping.columns()) {
      if (column.name().equals(name)) {
        return column;
      }
    }
    return null;
  }

  @Override
  public List<String> prepare(TableMapping mapping, TableMapping previous, boolean newerWins)
      throws TargetException {
    try {
      List<String> executed = plan(mapping, previous, newerWins);
      if (!executed.isEmpty()) {
        clearStatements();
        try (Statement statement = connection.createStatement()) {
          for (String sql : executed) {
            statement.execute(sql);
          }
        }
        if (!transactionalDdl()) {
          connection.commit();
        }
      }
      return executed;
    } catch (SQLException e) {
      throw failure(
          "cannot create or change " + mapping.target() + " on target " + config.name(), e);
    }
  }

  @Override
  public int write(TableMapping mapping, List<RowOp> operations, boolean newerWins)
      throws TargetException {
    try {
      List<RowOp> deletes = new ArrayList<>();
      List<RowOp> upserts = new ArrayList<>();
      List<RowOp> inserts = new ArrayList<>();
      Map<String, List<RowOp>> updates = new LinkedHashMap<>();
      for (RowOp op : operations) {
        switch (op.kind()) {
          case DELETE -> deletes.add(op);
          case UPSERT -> upserts.add(op);
          case INSERT -> inserts.add(op);
          case UPDATE ->
              updates.computeIfAbsent(presentMask(op.row()), m -> new ArrayList<>()).add(op);
        }
      }
      int missing = 0;
      if (!deletes.isEmpty()) {
        executeDeletes(mapping, deletes, newerWins);
      }
      if (!upserts.isEmpty()) {
        executeRows(dialect.upsert(mapping, newerWins), mapping, upserts, newerWins);
      }
      if (!inserts.isEmpty()) {
        executeRows(dialect.insertIfAbsent(mapping), mapping, inserts, false);
      }
      for (List<RowOp> group : updates.values()) {
        missing += executeUpdates(mapping, group, newerWins);
      }
      return missing;
    } catch (SQLException e) {
      throw failure("writing " + mapping.target() + " on target " + config.name() + " failed", e);
    }
  }

  private static String presentMask(Object[] row) {
    StringBuilder mask = new StringBuilder(row.length);
    for (Object value : row) {
      mask.append(value == Unavailable.UNCHANGED_TOAST ? '0' : '1');
    }
    return mask.toString();
  }

  private void executeRows(String sql, TableMapping mapping, List<RowOp> rows, boolean newerWins)
      throws SQLException {
    PreparedStatement statement = statement(sql);
    List<Column> columns = mapping.columns();
    for (RowOp op : rows) {
      int index = 1;
      for (int i = 0; i < columns.size(); i++) {
        if (mapping.isWritten(i)) {
          bind(statement, index++, op.row()[i], columns.get(i));
        }
      }
      if (newerWins) {
        statement.setLong(index, op.commitMicros());
      }
      statement.addBatch();
    }
    statement.executeBatch();
  }

  private int executeUpdates(TableMapping mapping, List<RowOp> rows, boolean newerWins)
      throws SQLException {
    Object[] first = rows.get(0).row();
    boolean[] present = new boolean[first.length];
    for (int i = 0; i < first.length; i++) {
      present[i] = first[i] != Unavailable.UNCHANGED_TOAST;
    }
    PreparedStatement statement = statement(dialect.update(mapping, present, newerWins));
    List<Column> columns = mapping.columns();
    for (RowOp op : rows) {
      int index = 1;
      for (int i = 0; i < columns.size(); i++) {
        if (present[i] && !mapping.isKey(i) && mapping.isWritten(i)) {
          bind(statement, index++, op.row()[i], columns.get(i));
        }
      }
      if (newerWins) {
        statement.setLong(index++, op.commitMicros());
      }
      for (int k : mapping.key()) {
        bind(statement, index++, op.row()[k], columns.get(k));
      }
      if (newerWins) {
        statement.setLong(index, op.commitMicros());
      }
      statement.addBatch();
    }
    int missing = 0;
    for (int count : statement.executeBatch()) {
      if (count == 0) {
        missing++;
      }
    }
    return missing;
  }

  @Override
  public int move(TableMapping mapping, Object[] fromKey, RowOp op, boolean newerWins)
      throws TargetException {
    List<Column> columns = mapping.columns();
    Object[] row = op.row();
    boolean[] present = new boolean[row.length];
    for (int i = 0; i < row.length; i++) {
      present[i] = row[i] != Unavailable.UNCHANGED_TOAST;
    }
    try {
      PreparedStatement copy = statement(dialect.moveRow(mapping, present, newerWins));
      int index = 1;
      for (int i = 0; i < columns.size(); i++) {
        if (mapping.isWritten(i) && (mapping.isKey(i) || present[i])) {
          bind(copy, index++, row[i], columns.get(i));
        }
      }
      if (newerWins) {
        copy.setLong(index++, op.commitMicros());
      }
      for (int k = 0; k < fromKey.length; k++) {
        bind(copy, index++, fromKey[k], columns.get(mapping.key()[k]));
      }
      int copied = copy.executeUpdate();
      PreparedStatement delete = statement(dialect.delete(mapping, newerWins));
      index = 1;
      for (int k = 0; k < fromKey.length; k++) {
        bind(delete, index++, fromKey[k], columns.get(mapping.key()[k]));
      }
      if (newerWins) {
        delete.setLong(index, op.commitMicros());
      }
      delete.executeUpdate();
      return copied == 0 ? 1 : 0;
    } catch (SQLException e) {
      throw failure(
          "moving a row of "
              + mapping.target()
              + " to a new key on target "
              + config.name()
              + " failed",
          e);
    }
  }

  private void executeDeletes(TableMapping mapping, List<RowOp> rows, boolean newerWins)
      throws SQLException {
    PreparedStatement statement = statement(dialect.delete(mapping, newerWins));
    List<Column> columns = mapping.columns();
    for (RowOp op : rows) {
      int index = 1;
      for (int k = 0; k < mapping.key().length; k++) {
        bind(statement, index++, op.key()[k], columns.get(mapping.key()[k]));
      }
      if (newerWins) {
        statement.setLong(index, op.commitMicros());
      }
      statement.addBatch();
    }
    statement.executeBatch();
  }

  private void bind(PreparedStatement statement, int index, Object value, Column column)
      throws SQLException {
    if (value == null || value == Unavailable.ABSENT) {
      statement.setObject(index, null);
    } else {
      dialect.bind(statement, index, value, column);
    }
  }

  @Override
  public void truncate(TableMapping mapping) throws TargetException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(dialect.truncate(mapping));
    } catch (SQLException e) {
      throw failure(
          "truncating " + mapping.target() + " on target " + config.name() + " failed", e);
    }
  }

  @Override
  public void savepoint() throws TargetException {
    try {
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw failure("cannot set a savepoint on target " + config.name(), e);
    }
  }

  @Override
  public void rollbackToSavepoint() throws TargetException {
    try {
      connection.rollback(savepoint);
    } catch (SQLException e) {
      throw failure("cannot roll back to a savepoint on target " + config.name(), e);
    }
  }

  @Override
  public void commit(String rule, Checkpoint checkpoint) throws TargetException {
    try {
      if (originId != 0 && checkpoint.commitTimeMicros() != 0) {
        PreparedStatement stamp =
            statement(
                "SELECT pg_replication_origin_xact_setup(?::pg_lsn,"
                    + " 'epoch'::timestamptz + ? * interval '1 microsecond')");
        stamp.setString(1, Lsn.format(checkpoint.lsn()));
        stamp.setLong(2, checkpoint.commitTimeMicros());
        stamp.executeQuery().close();
      }
      PreparedStatement statement = statement(dialect.writeCheckpoint());
      statement.setString(1, rule);
      statement.setLong(2, checkpoint.position());
      statement.setLong(3, checkpoint.lsn());
      statement.setLong(4, checkpoint.commitTimeMicros());
      statement.setString(5, Instant.now().toString());
      statement.executeUpdate();
      connection.commit();
      savepoint = null;
    } catch (SQLException e) {
      throw failure("committing on target " + config.name() + " failed", e);
    }
  }

  @Override
  public void writeUnderOrigin(String origin) throws TargetException {
    if (dialect.dialect() != Dialect.POSTGRESQL) {
      Target.super.writeUnderOrigin(origin);
    }
    try (PreparedStatement create =
            connection.prepareStatement(
                "SELECT pg_replication_origin_create(?) WHERE NOT EXISTS"
                    + " (SELECT 1 FROM pg_replication_origin WHERE roname = ?)");
        PreparedStatement setup =
            connection.prepareStatement("SELECT pg_replication_origin_session_setup(?)");
        PreparedStatement id =
            connection.prepareStatement(
                "SELECT roident FROM pg_replication_origin WHERE roname = ?")) {
      create.setString(1, origin);
      create.setString(2, origin);
      create.executeQuery().close();
      connection.commit();
      setup.setString(1, origin);
      setup.executeQuery().close();
      id.setString(1, origin);
      try (ResultSet rows = id.executeQuery()) {
        rows.next();
        originId = rows.getInt(1);
      }
      connection.commit();
    } catch (SQLException e) {
      rollback();
      boolean inUse = "55006".equals(e.getSQLState()); // the origin's previous session ends
      TargetException failure =
          failure(
              "cannot write under replication origin "
                  + origin
                  + " on target "
                  + config.name()
                  + " (it needs superuser, or EXECUTE granted on pg_replication_origin_create,"
                  + " pg_replication_origin_session_setup and pg_replication_origin_xact_setup)",
              e);
      throw inUse ? new TargetException(failure.getMessage(), true, e) : failure;
    }
  }

  @Override
  public Optional<RowWrite> lastWrite(TableMapping mapping, Object[] key) throws TargetException {
    try {
      PreparedStatement statement =
          statement(
              "SELECT (EXTRACT(EPOCH FROM c.timestamp) * 1000000)::bigint, c.roident FROM "
                  + dialect.qualified(mapping.target())
                  + " t, LATERAL pg_xact_commit_timestamp_origin(t.xmin) c WHERE "
                  + dialect.keyCondition(mapping)
                  + " FOR UPDATE OF t");
      List<Column> columns = mapping.columns();
      for (int k = 0; k < key.length; k++) {
        bind(statement, k + 1, key[k], columns.get(mapping.key()[k]));
      }
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        long micros = rows.getLong(1);
        int writer = rows.getInt(2);
        return Optional.of(new RowWrite(micros, originId != 0 && writer == originId));
      }
    } catch (SQLException e) {
      throw failure(
          "reading the last write of a row of " + mapping.target() + " on " + config.name(), e);
    }
  }

  @Override
  public boolean insertIfAbsent(TableMapping mapping, Object[] row) throws TargetException {
    try {
      PreparedStatement statement = statement(dialect.insertIfAbsent(mapping));
      List<Column> columns = mapping.columns();
      int index = 1;
      for (int i = 0; i < columns.size(); i++) {
        if (mapping.isWritten(i)) {
          bind(statement, index++, row[i], columns.get(i));
        }
      }
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("inserting a row of " + mapping.target() + " on " + config.name(), e);
    }
  }

  @Override
  public void commitWithoutCheckpoint() throws TargetException {
    try {
      connection.commit();
    } catch (SQLException e) {
      throw failure("committing on target " + config.name() + " failed", e);
    }
  }

  @Override
  public void rollback() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // the connection is broken; it will be closed
    }
    savepoint = null;
  }

  // mirror mode

  private TargetTable keysTable(TableMapping mapping) {
    return new TargetTable(
        dialect.dialect() == Dialect.POSTGRESQL ? "sluice" : null, keysTableName(mapping.target()));
  }

  /**
   * The name of the table that holds the keys a mirror copy has seen: {@code sluice_mirror_} and
   * the first 64 bits of the SHA-256 of the target table's name (30 characters, within every
   * dialect's identifier limit). A 32-bit {@code String.hashCode()} gave {@code public.Aa} and
   * {@code public.BB} the same one.
   */
  static String keysTableName(TargetTable target) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(target.toString().getBytes(StandardCharsets.UTF_8));
      return "sluice_mirror_" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void mirrorBegin(TableMapping mapping) throws TargetException {
    TargetTable keys = keysTable(mapping);
    List<String> columns = new ArrayList<>();
    for (int k : mapping.key()) {
      Column column = mapping.columns().get(k);
      columns.add(
          dialect.quote(column.name())
              + " "
              + dialect.mapKey(mapping, column).targetType()
              + " NOT NULL");
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + dialect.qualified(keys));
      statement.execute(
          "CREATE TABLE "
              + dialect.qualified(keys)
              + " ("
              + String.join(", ", columns)
              + ", PRIMARY KEY ("
              + dialect.keyColumns(mapping)
              + "))"
              + dialect.tableOptions());
      if (!transactionalDdl()) {
        connection.commit();
      }
    } catch (SQLException e) {
      throw failure(
          "cannot prepare the mirror of " + mapping.target() + " on target " + config.name(), e);
    }
  }

  @Override
  public void mirrorSeen(TableMapping mapping, List<Object[]> keys) throws TargetException {
    TargetTable table = keysTable(mapping);
    List<String> placeholders = new ArrayList<>();
    for (int k : mapping.key()) {
      placeholders.add(dialect.placeholder(mapping.columns().get(k)));
    }
    String conflict = dialect.dialect() == Dialect.MYSQL ? "INSERT IGNORE INTO " : "INSERT INTO ";
    String sql =
        conflict
            + dialect.qualified(table)
            + " ("
            + dialect.keyColumns(mapping)
            + ") VALUES ("
            + String.join(", ", placeholders)
            + ")"
            + (dialect.dialect() == Dialect.MYSQL ? "" : " ON CONFLICT DO NOTHING");
    try {
      PreparedStatement statement = statement(sql);
      for (Object[] key : keys) {
        for (int k = 0; k < key.length; k++) {
          bind(statement, k + 1, key[k], mapping.columns().get(mapping.key()[k]));
        }
        statement.addBatch();
      }
      statement.executeBatch();
    } catch (SQLException e) {
      throw failure(
          "cannot record the mirror keys of " + mapping.target() + " on target " + config.name(),
          e);
    }
  }

  @Override
  public long mirrorFinish(TableMapping mapping) throws TargetException {
    TargetTable keys = keysTable(mapping);
    List<String> join = new ArrayList<>();
    for (int k : mapping.key()) {
      String column = dialect.quote(mapping.columns().get(k).name());
      join.add("k." + column + " = t." + column);
    }
    String delete =
        dialect.dialect() == Dialect.MYSQL
            ? "DELETE t FROM "
                + dialect.qualified(mapping.target())
                + " t LEFT JOIN "
                + dialect.qualified(keys)
                + " k ON "
                + String.join(" AND ", join)
                + " WHERE k."
                + dialect.quote(mapping.columns().get(mapping.key()[0]).name())
                + " IS NULL"
            : "DELETE FROM "
                + dialect.qualified(mapping.target())
                + " AS t WHERE NOT EXISTS (SELECT 1 FROM "
                + dialect.qualified(keys)
                + " k WHERE "
                + String.join(" AND ", join)
                + ")";
    try (Statement statement = connection.createStatement()) {
      long deleted = statement.executeUpdate(delete);
      if (transactionalDdl()) {
        statement.execute("DROP TABLE " + dialect.qualified(keys));
      }
      return deleted;
    } catch (SQLException e) {
      throw failure(
          "cannot remove the rows of "
              + mapping.target()
              + " that left the source, on target "
              + config.name(),
          e);
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  private void clearStatements() {
    statements.values().forEach(SqlTarget::closeQuietly);
    statements.clear();
  }

  private static TargetException failure(String what, SQLException e) {
    SqlFailure kind = SqlFailure.of(e);
    String message =
        e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getMessage().lines().findFirst().orElse("");
    SQLException next = e.getNextException();
    if (next != null && next != e && next.getMessage() != null) {
      message = next.getMessage().lines().findFirst().orElse(message);
    }
    return new TargetException(what + ": " + message, kind.isRetriable(), e);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception e) {
        // closing a broken connection
      }
    }
  }

  @Override
  public void close() {
    clearStatements();
    rollback();
    if (asynchronousCommit(config)) {
      flushCommits();
    }
    closeQuietly(connection);
  }

  /**
   * Makes the session's asynchronous commits durable: a commit that waits for its own WAL flush
   * flushes every commit before it (a replay, which keeps no checkpoint, ends durable this way).
   */
  private void flushCommits() {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCAL synchronous_commit = on");
      statement.execute("SELECT txid_current()"); // a transaction id: the commit writes a record
      connection.commit();
    } catch (SQLException e) {
      rollback(); // the connection is broken: what was committed is the target's to keep or lose
    }
  }
}
