package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueText;
import java.sql.PreparedStatement;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.util.StringJoiner;

/**
 * SQLite targets: integers, floats, text and bytes are stored natively; decimals, dates and times
 * as exact text (ISO-8601, timestamps as {@code 2026-11-20 10:15:30.123456}); booleans as 0/1;
 * arrays as JSON.
 */
final class SqliteDialect extends SqlDialect {
  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  @Override
  public TypeMapping map(Column column, boolean key) {
    return switch (column.kind()) {
      case INT16, INT32, INT64 -> TypeMapping.exact("INTEGER");
      case FLOAT32, FLOAT64 ->
          TypeMapping.limited(
              "REAL", "NaN cannot be stored (SQLite turns it into NULL); -0 is stored as 0");
      case BOOLEAN -> TypeMapping.converted("INTEGER", "as 0 or 1");
      case DECIMAL -> TypeMapping.converted("TEXT", "as exact decimal text");
      case TEXT, JSON -> TypeMapping.exact("TEXT");
      case BYTES -> TypeMapping.exact("BLOB");
      case DATE -> TypeMapping.converted("TEXT", "as ISO-8601 text (2026-11-20)");
      case TIME -> TypeMapping.converted("TEXT", "as ISO-8601 text (10:15:30.123456)");
      case TIMESTAMP -> TypeMapping.converted("TEXT", "as text 2026-11-20 10:15:30.123456");
      case TIMESTAMPTZ ->
          TypeMapping.converted("TEXT", "as ISO-8601 text in UTC (2026-11-20T10:15:30.123456Z)");
      case ARRAY ->
          TypeMapping.limited(
              "TEXT",
              "as a JSON array (nested for several dimensions) of the elements in sluice tail's"
                  + " forms; arrays whose lower bound is not 1 cannot be stored");
      default -> TypeMapping.converted("TEXT", "as its PostgreSQL text");
    };
  }

  @Override
  public void bind(PreparedStatement statement, int index, Object value, Column column)
      throws SQLException {
    switch (column.kind()) {
      case INT16 -> statement.setShort(index, (Short) value);
      case INT32 -> statement.setInt(index, (Integer) value);
      case INT64 -> statement.setLong(index, (Long) value);
      case FLOAT32, FLOAT64 ->
          statement.setDouble(index, finite(((Number) value).doubleValue(), column));
      case BOOLEAN -> statement.setInt(index, (Boolean) value ? 1 : 0);
      case BYTES -> statement.setBytes(index, (byte[]) value);
      case DATE -> statement.setString(index, ValueText.date((Integer) value));
      case TIME -> statement.setString(index, ValueText.time((Long) value));
      case TIMESTAMP -> statement.setString(index, SqlValues.timestampText(value));
      case TIMESTAMPTZ -> statement.setString(index, SqlValues.timestampTzText(value));
      case ARRAY -> statement.setString(index, SqlValues.jsonArray(value, column));
      default -> statement.setString(index, String.valueOf(value));
    }
  }

  private static double finite(double value, Column column) throws SQLDataException {
    if (Double.isNaN(value)) {
      throw new SQLDataException(
          "NaN cannot be stored in SQLite (column " + column.name() + ")", "22003");
    }
    return value;
  }

  @Override
  public String upsert(TableMapping mapping, boolean newerWins) {
    return upsert(mapping, newerWins, "VALUES " + valueList(mapping, newerWins));
  }

  @Override
  String upsert(TableMapping mapping, boolean newerWins, String rows) {
    StringJoiner set = new StringJoiner(", ");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (!mapping.isKey(i) && mapping.isWritten(i)) {
        String name = quote(mapping.columns().get(i).name());
        set.add(name + " = excluded." + name);
      }
    }
    if (newerWins) {
      set.add(quote(COMMIT_TIME_COLUMN) + " = excluded." + quote(COMMIT_TIME_COLUMN));
    }
    String insert =
        "INSERT INTO "
            + qualified(mapping.target())
            + " "
            + columnList(mapping, newerWins)
            + " "
            + rows
            + " ON CONFLICT ("
            + keyColumns(mapping)
            + ")";
    if (set.length() == 0) {
      return insert + " DO NOTHING";
    }
    String column = quote(COMMIT_TIME_COLUMN);
    return insert
        + " DO UPDATE SET "
        + set
        + (newerWins
            ? " WHERE " + column + " IS NULL OR " + column + " <= excluded." + column
            : "");
  }

  @Override
  public String insertIfAbsent(TableMapping mapping) {
    return "INSERT INTO "
        + qualified(mapping.target())
        + " "
        + columnList(mapping, false)
        + " VALUES "
        + valueList(mapping, false)
        + " ON CONFLICT ("
        + keyColumns(mapping)
        + ") DO NOTHING";
  }

  @Override
  String writeCheckpoint() {
    return "INSERT INTO "
        + checkpointTable()
        + " (rule, position, lsn, commit_time, updated_at) VALUES (?, ?, ?, ?, ?)"
        + " ON CONFLICT (rule) DO UPDATE SET position = excluded.position, lsn = excluded.lsn,"
        + " commit_time = excluded.commit_time, updated_at = excluded.updated_at";
  }
}
