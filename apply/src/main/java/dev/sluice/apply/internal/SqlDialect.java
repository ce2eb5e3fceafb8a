package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The SQL a rule writes into one kind of database: type mapping, value binding, and the statements.
 * Identifiers are always quoted. Stateless and thread-safe.
 *
 * <p>Tables Sluice creates have the source's columns (minus excluded ones), a primary key on the
 * source key, and every other column nullable (so a column dropped on the source never blocks an
 * insert). Rules with {@code conflict: newer-wins} add a column {@value #COMMIT_TIME_COLUMN}: the
 * source commit time, in microseconds, of the change that wrote the row. A change is applied when
 * its commit time is not older than the row's: of two changes with the same commit time (one large
 * source transaction written in chunks, or two transactions in one microsecond) the later in
 * journal order wins, and re-applying a change changes nothing.
 */
public abstract class SqlDialect {
  /** The column newer-wins rules keep the row's source commit time in. */
  public static final String COMMIT_TIME_COLUMN = "_sluice_commit_time";

  /** The table checkpoints are kept in (in PostgreSQL, in the schema {@code sluice}). */
  static final String CHECKPOINT_TABLE = "sluice_checkpoints";

  public static SqlDialect of(Dialect dialect) {
    return switch (dialect) {
      case POSTGRESQL -> new PostgresDialect();
      case MYSQL -> new MySqlDialect();
      case SQLITE -> new SqliteDialect();
      case MONGODB, NATS, KAFKA ->
          throw new IllegalArgumentException(dialect.yamlName() + " is not a SQL database");
    };
  }

  public abstract Dialect dialect();

  /**
   * The types PostgreSQL columns need that the target lacks and Sluice cannot create (extension and
   * base types), each with the fix; see {@link PostgresDialect}.
   */
  public static List<String> missingPostgresTypes(
      java.sql.Connection connection, List<Column> columns) throws SQLException {
    return PostgresDialect.missingTypes(connection, columns);
  }

  /** A quoted identifier. */
  public abstract String quote(String identifier);

  /** How a source column is stored. */
  public abstract TypeMapping map(Column column, boolean key);

  /** How column {@code index} of a mapping is stored (its key columns through {@link #mapKey}). */
  public TypeMapping typeOf(TableMapping mapping, int index) {
    Column column = mapping.columns().get(index);
    return mapping.isKey(index) ? mapKey(mapping, column) : map(column, false);
  }

  /** How a key column of a mapping is stored (a dialect may share an index budget among them). */
  TypeMapping mapKey(TableMapping mapping, Column column) {
    return map(column, true);
  }

  /** Binds a non-null journal value. */
  public abstract void bind(PreparedStatement statement, int index, Object value, Column column)
      throws SQLException;

  /** The SQL placeholder for a value of the column ({@code ?}, or a cast around it). */
  String placeholder(Column column) {
    return "?";
  }

  public String qualified(TargetTable table) {
    return table.schema() == null
        ? quote(table.name())
        : quote(table.schema()) + "." + quote(table.name());
  }

  /** Statements that create the table (and what it needs) when absent. */
  public List<String> createTable(TableMapping mapping, boolean newerWins) {
    StringJoiner columns = new StringJoiner(", ");
    for (int i = 0; i < mapping.columns().size(); i++) {
      Column column = mapping.columns().get(i);
      boolean key = mapping.isKey(i);
      columns.add(
          quote(column.name())
              + " "
              + (key ? mapKey(mapping, column) : map(column, false)).targetType()
              + generation(column)
              + (key ? " NOT NULL" : ""));
    }
    if (newerWins) {
      columns.add(quote(COMMIT_TIME_COLUMN) + " BIGINT");
    }
    StringJoiner key = new StringJoiner(", ");
    for (int k : mapping.key()) {
      key.add(quote(mapping.columns().get(k).name()));
    }
    columns.add("PRIMARY KEY (" + key + ")");
    List<String> statements = new ArrayList<>(prepareTable(mapping));
    statements.add(
        "CREATE TABLE IF NOT EXISTS "
            + qualified(mapping.target())
            + " ("
            + columns
            + ")"
            + tableOptions());
    return statements;
  }

  /**
   * What follows a generated column's type in its definition: nothing, unless the dialect computes
   * it ({@link TableMapping#isWritten}).
   */
  String generation(Column column) {
    return "";
  }

  /** Statements needed before a table can be created (schema, types). */
  List<String> prepareTable(TableMapping mapping) {
    return List.of();
  }

  String tableOptions() {
    return "";
  }

  public String addColumn(TableMapping mapping, Column column) {
    String type = map(column, false).targetType();
    String literal = defaultLiteral(column, type);
    return "ALTER TABLE "
        + qualified(mapping.target())
        + " ADD COLUMN "
        + quote(column.name())
        + " "
        + type
        + generation(column)
        + (literal == null || column.isGenerated() ? "" : " DEFAULT " + literal);
  }

  /**
   * The column's default (what rows existing before it was added have) as this dialect's literal
   * for a column of {@code targetType}, or null when it has none or this dialect cannot be given
   * it.
   */
  String defaultLiteral(Column column, String targetType) {
    Object value = ColumnDefault.value(column);
    if (value == null) {
      return null;
    }
    if (value instanceof Boolean b) {
      return b ? "1" : "0";
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    return quotedText(value.toString());
  }

  /** A text value (or a decimal's text) as a string literal. */
  String quotedText(String text) {
    return ColumnDefault.quoted(text);
  }

  /**
   * Changes the type of column {@code index} to {@link #typeOf} it (for a widening change on the
   * source); null when the dialect needs no change (SQLite stores any width in its columns).
   */
  public String alterColumnType(TableMapping mapping, int index) {
    return null;
  }

  /** Insert or replace every column of a row. */
  public abstract String upsert(TableMapping mapping, boolean newerWins);

  /**
   * Insert or replace rows given by {@code rows}: {@code VALUES (...)} or a {@code SELECT} of the
   * columns of {@link #columnList}.
   */
  abstract String upsert(TableMapping mapping, boolean newerWins, String rows);

  /**
   * Copies a row to its new key, with the values the change carries and the target's own values of
   * the columns the source did not send (unchanged TOASTed values), replacing a row that has the
   * new key; the row at the old key is then deleted with {@link #delete}. Parameters: the new key's
   * and the present columns' values in column order, the commit time (newer-wins), the old key.
   *
   * @param present which columns have a value in the change
   */
  public String moveRow(TableMapping mapping, boolean[] present, boolean newerWins) {
    StringJoiner values = new StringJoiner(", ");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (mapping.isWritten(i)) {
        Column column = mapping.columns().get(i);
        values.add(mapping.isKey(i) || present[i] ? placeholder(column) : quote(column.name()));
      }
    }
    if (newerWins) {
      values.add("?");
    }
    return upsert(
        mapping,
        newerWins,
        "SELECT "
            + values
            + " FROM "
            + qualified(mapping.target())
            + " WHERE "
            + keyCondition(mapping));
  }

  /** Insert a row unless its key exists (append mode). */
  public abstract String insertIfAbsent(TableMapping mapping);

  /** Update the present columns of an existing row (with a key condition). */
  public String update(TableMapping mapping, boolean[] present, boolean newerWins) {
    StringJoiner set = new StringJoiner(", ");
    for (int i = 0; i < present.length; i++) {
      if (present[i] && !mapping.isKey(i) && mapping.isWritten(i)) {
        Column column = mapping.columns().get(i);
        set.add(quote(column.name()) + " = " + placeholder(column));
      }
    }
    if (newerWins) {
      set.add(quote(COMMIT_TIME_COLUMN) + " = ?");
    }
    if (set.length() == 0) {
      // every other column was left unchanged: the statement still tells whether the row exists
      String first = quote(mapping.columns().get(mapping.key()[0]).name());
      set.add(first + " = " + first);
    }
    return "UPDATE "
        + qualified(mapping.target())
        + " SET "
        + set
        + " WHERE "
        + keyCondition(mapping)
        + (newerWins
            ? " AND ("
                + quote(COMMIT_TIME_COLUMN)
                + " IS NULL OR "
                + quote(COMMIT_TIME_COLUMN)
                + " <= ?)"
            : "");
  }

  public String delete(TableMapping mapping, boolean newerWins) {
    return "DELETE FROM "
        + qualified(mapping.target())
        + " WHERE "
        + keyCondition(mapping)
        + (newerWins
            ? " AND ("
                + quote(COMMIT_TIME_COLUMN)
                + " IS NULL OR "
                + quote(COMMIT_TIME_COLUMN)
                + " <= ?)"
            : "");
  }

  /** Empties a table inside the current transaction. */
  public String truncate(TableMapping mapping) {
    return "DELETE FROM " + qualified(mapping.target());
  }

  String keyCondition(TableMapping mapping) {
    StringJoiner condition = new StringJoiner(" AND ");
    for (int k : mapping.key()) {
      Column column = mapping.columns().get(k);
      condition.add(quote(column.name()) + " = " + placeholder(column));
    }
    return condition.toString();
  }

  /** {@code (a, b, c)} and {@code (?, ?, ?)} for a row insert. */
  String columnList(TableMapping mapping, boolean newerWins) {
    StringJoiner names = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (mapping.isWritten(i)) {
        names.add(quote(mapping.columns().get(i).name()));
      }
    }
    if (newerWins) {
      names.add(quote(COMMIT_TIME_COLUMN));
    }
    return names.toString();
  }

  String valueList(TableMapping mapping, boolean newerWins) {
    StringJoiner values = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (mapping.isWritten(i)) {
        values.add(placeholder(mapping.columns().get(i)));
      }
    }
    if (newerWins) {
      values.add("?");
    }
    return values.toString();
  }

  String keyColumns(TableMapping mapping) {
    StringJoiner key = new StringJoiner(", ");
    for (int k : mapping.key()) {
      key.add(quote(mapping.columns().get(k).name()));
    }
    return key.toString();
  }

  // checkpoints

  String checkpointTable() {
    return quote(CHECKPOINT_TABLE);
  }

  List<String> createCheckpointTable() {
    return List.of(
        "CREATE TABLE IF NOT EXISTS "
            + checkpointTable()
            + " ("
            + quote("rule")
            + " VARCHAR(200) NOT NULL PRIMARY KEY, "
            + quote("position")
            + " BIGINT NOT NULL, "
            + quote("lsn")
            + " BIGINT NOT NULL, "
            + quote("commit_time")
            + " BIGINT NOT NULL, "
            + quote("updated_at")
            + " VARCHAR(40) NOT NULL)"
            + tableOptions());
  }

  String readCheckpoint() {
    return "SELECT "
        + quote("position")
        + ", "
        + quote("lsn")
        + ", "
        + quote("commit_time")
        + " FROM "
        + checkpointTable()
        + " WHERE "
        + quote("rule")
        + " = ?";
  }

  /** Writes a checkpoint; parameters: rule, position, lsn, commit time, updated at. */
  abstract String writeCheckpoint();
}
