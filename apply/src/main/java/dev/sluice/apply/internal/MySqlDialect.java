package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueKind;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.util.StringJoiner;

/**
 * MySQL and MariaDB targets. Tables use {@code utf8mb4} with binary collation, so keys compare
 * exactly as in PostgreSQL ({@code 'a'} and {@code 'A'} are different keys). Sessions run in strict
 * mode and UTC, so a value that does not fit fails instead of being truncated.
 */
final class MySqlDialect extends SqlDialect {
  /** The longest key text that fits an index (3072 bytes of 4-byte characters). */
  private static final int MAX_KEY_CHARS = 768;

  @Override
  public Dialect dialect() {
    return Dialect.MYSQL;
  }

  @Override
  public String quote(String identifier) {
    return '`' + identifier.replace("`", "``") + '`';
  }

  @Override
  String tableOptions() {
    return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  }

  @Override
  public TypeMapping map(Column column, boolean key) {
    String pgType = column.pgType();
    return switch (column.kind()) {
      case BOOLEAN -> TypeMapping.exact("BOOLEAN");
      case INT16 -> TypeMapping.exact("SMALLINT");
      case INT32 -> TypeMapping.exact("INT");
      case INT64 -> TypeMapping.exact("BIGINT");
      case FLOAT32 ->
          TypeMapping.limited(
              "FLOAT",
              "NaN, infinities and the largest values (beyond ±3.402823466e38) cannot be stored;"
                  + " -0 is stored as 0");
      case FLOAT64 ->
          TypeMapping.limited("DOUBLE", "NaN and infinities cannot be stored; -0 is stored as 0");
      case DECIMAL -> decimal(pgType);
      case TEXT -> text(pgType, key);
      case JSON ->
          TypeMapping.converted(
              "JSON", "stored as JSON; MySQL normalises its spacing and key order");
      case UUID -> TypeMapping.converted("CHAR(36)", "as text");
      case ENUM -> TypeMapping.converted("VARCHAR(255)", "as its label");
      case INTERVAL -> TypeMapping.converted("VARCHAR(100)", "as ISO-8601 text (P1Y2M3DT4H5M6S)");
      case TIMETZ -> TypeMapping.converted("VARCHAR(40)", "as PostgreSQL's text, with its offset");
      case BYTES ->
          key
              ? TypeMapping.limited(
                  "VARBINARY(" + MAX_KEY_CHARS + ")",
                  "key values longer than " + MAX_KEY_CHARS + " bytes cannot be stored")
              : TypeMapping.exact("LONGBLOB");
      case DATE ->
          TypeMapping.limited(
              "DATE", "dates before year 1 (BC) or after 9999 and infinity cannot be stored");
      case TIME -> TypeMapping.exact("TIME(6)");
      case TIMESTAMP ->
          TypeMapping.limited(
              "DATETIME(6)",
              "timestamps before year 1 (BC) or after 9999 and infinity cannot be stored");
      case TIMESTAMPTZ ->
          TypeMapping.limited(
              "DATETIME(6)",
              "converted to UTC; timestamps before year 1 (BC) or after 9999 and infinity cannot"
                  + " be stored");
      case ARRAY ->
          TypeMapping.limited(
              "JSON",
              "as a JSON array (nested for several dimensions) of the elements in sluice tail's"
                  + " forms; arrays whose lower bound is not 1 cannot be stored");
      case OTHER ->
          TypeMapping.converted(
              key ? "VARCHAR(" + MAX_KEY_CHARS + ")" : "LONGTEXT", "as its PostgreSQL text");
    };
  }

  /**
   * Key columns share one index of 3072 bytes: text and byte key columns get an equal share of what
   * the other key columns leave (4 bytes per character).
   */
  @Override
  TypeMapping mapKey(TableMapping mapping, Column column) {
    int variable = 0;
    int fixedBytes = 0;
    for (int k : mapping.key()) {
      Column keyColumn = mapping.columns().get(k);
      switch (keyColumn.kind()) {
        case TEXT, BYTES, OTHER -> variable++;
        default -> fixedBytes += 16;
      }
    }
    TypeMapping plain = map(column, true);
    if ((variable <= 1 && fixedBytes == 0)
        || !(column.kind() == ValueKind.TEXT
            || column.kind() == ValueKind.BYTES
            || column.kind() == ValueKind.OTHER)) {
      return plain;
    }
    int chars = Math.max(16, (3072 - fixedBytes) / 4 / variable);
    int length = SqlValues.length(column.pgType());
    if (length > 0 && length <= chars && column.kind() == ValueKind.TEXT) {
      return plain;
    }
    String type =
        column.kind() == ValueKind.BYTES
            ? "VARBINARY(" + chars * 4 + ")"
            : "VARCHAR(" + chars + ")";
    return TypeMapping.limited(
        type,
        "key values longer than "
            + chars
            + " characters cannot be stored (the key's index is limited)");
  }

  private static TypeMapping decimal(String pgType) {
    if (pgType.startsWith("money")) {
      return TypeMapping.converted("DECIMAL(21,2)", "money as a decimal number");
    }
    int[] precision = SqlValues.numericPrecision(pgType);
    if (precision != null && precision[0] <= 65 && precision[1] <= 30) {
      return TypeMapping.limited(
          "DECIMAL(" + precision[0] + "," + precision[1] + ")",
          "NaN and infinities cannot be stored");
    }
    return TypeMapping.limited(
        "DECIMAL(65,30)",
        "with 30 decimal places (1.5 reads back as 1.500000000000000000000000000000); values with"
            + " more than 35 digits before the point or 30 after it, NaN and infinities cannot be"
            + " stored");
  }

  private static TypeMapping text(String pgType, boolean key) {
    int length = SqlValues.length(pgType);
    boolean fixed =
        pgType.startsWith("character(") || pgType.equals("character") || pgType.equals("bpchar");
    if (key) {
      if (length > 0 && length <= MAX_KEY_CHARS) {
        return fixed
            ? TypeMapping.converted(
                "CHAR(" + Math.min(length, 255) + ")", "trailing spaces are not kept")
            : TypeMapping.exact("VARCHAR(" + length + ")");
      }
      return TypeMapping.limited(
          "VARCHAR(" + MAX_KEY_CHARS + ")",
          "key values longer than " + MAX_KEY_CHARS + " characters cannot be stored");
    }
    if (fixed && length > 0 && length <= 255) {
      return TypeMapping.converted("CHAR(" + length + ")", "trailing spaces are not kept");
    }
    if (length > 0 && length <= 255) {
      return TypeMapping.exact("VARCHAR(" + length + ")");
    }
    return TypeMapping.exact("LONGTEXT");
  }

  @Override
  public void bind(PreparedStatement statement, int index, Object value, Column column)
      throws SQLException {
    switch (column.kind()) {
      case BOOLEAN -> statement.setBoolean(index, (Boolean) value);
      case INT16 -> statement.setShort(index, (Short) value);
      case INT32 -> statement.setInt(index, (Integer) value);
      case INT64 -> statement.setLong(index, (Long) value);
      case FLOAT32 -> statement.setFloat(index, finite((Float) value, column));
      case FLOAT64 -> statement.setDouble(index, finite((Double) value, column));
      case DECIMAL -> statement.setBigDecimal(index, decimal((String) value, column));
      case BYTES -> statement.setBytes(index, (byte[]) value);
      case DATE -> statement.setObject(index, inRange(SqlValues.date(value), column));
      case TIME -> statement.setString(index, dev.sluice.journal.PgText.time((Long) value));
      case TIMESTAMP, TIMESTAMPTZ -> statement.setObject(index, dateTime(value, column));
      case ARRAY -> statement.setString(index, SqlValues.jsonArray(value, column));
      default -> statement.setString(index, String.valueOf(value));
    }
  }

  private static float finite(float value, Column column) throws SQLDataException {
    if (!Float.isFinite(value)) {
      throw new SQLDataException(
          value + " cannot be stored in MySQL (column " + column.name() + ")", "22003");
    }
    return value;
  }

  private static double finite(double value, Column column) throws SQLDataException {
    if (!Double.isFinite(value)) {
      throw new SQLDataException(
          value + " cannot be stored in MySQL (column " + column.name() + ")", "22003");
    }
    return value;
  }

  private static java.time.LocalDateTime dateTime(Object value, Column column)
      throws SQLDataException {
    java.time.LocalDateTime time = SqlValues.dateTime(value);
    if (time == null) {
      throw new SQLDataException(
          "infinity cannot be stored in MySQL (column " + column.name() + ")", "22008");
    }
    inRange(time.toLocalDate(), column);
    return time;
  }

  /** MySQL's dates and datetimes hold the years 1 to 9999: no BC dates, no later years. */
  private static java.time.LocalDate inRange(java.time.LocalDate date, Column column)
      throws SQLDataException {
    if (date.getYear() < 1 || date.getYear() > 9999) {
      throw new SQLDataException(
          dev.sluice.journal.PgText.date((int) date.toEpochDay())
              + " cannot be stored in MySQL, whose dates are from year 1 to 9999 (column "
              + column.name()
              + ")",
          "22008");
    }
    return date;
  }

  private static BigDecimal decimal(String value, Column column) throws SQLDataException {
    try {
      return new BigDecimal(value);
    } catch (NumberFormatException e) {
      throw new SQLDataException(
          value + " cannot be stored in a MySQL DECIMAL (column " + column.name() + ")", "22003");
    }
  }

  @Override
  public String alterColumnType(TableMapping mapping, int index) {
    Column column = mapping.columns().get(index);
    String type = typeOf(mapping, index).targetType();
    String literal = mapping.isKey(index) ? null : defaultLiteral(column, type);
    return "ALTER TABLE "
        + qualified(mapping.target())
        + " MODIFY COLUMN "
        + quote(column.name())
        + " "
        + type
        + (mapping.isKey(index) ? " NOT NULL" : "")
        + (literal == null ? "" : " DEFAULT " + literal);
  }

  /** MySQL 8 takes a default of a TEXT, BLOB or JSON column only as an expression. */
  @Override
  String defaultLiteral(Column column, String targetType) {
    String literal = super.defaultLiteral(column, targetType);
    boolean expressionOnly =
        targetType.startsWith("LONG") || targetType.equals("JSON") || targetType.endsWith("TEXT");
    return literal != null && expressionOnly ? "(" + literal + ")" : literal;
  }

  /** Backslashes escape in MySQL string literals (unless NO_BACKSLASH_ESCAPES). */
  @Override
  String quotedText(String text) {
    return ColumnDefault.quoted(text.replace("\\", "\\\\"));
  }

  @Override
  public String upsert(TableMapping mapping, boolean newerWins) {
    return upsert(mapping, newerWins, "VALUES " + valueList(mapping, newerWins));
  }

  @Override
  String upsert(TableMapping mapping, boolean newerWins, String rows) {
    String table = qualified(mapping.target());
    String newer =
        newerWins
            ? table
                + "."
                + quote(COMMIT_TIME_COLUMN)
                + " IS NULL OR "
                + table
                + "."
                + quote(COMMIT_TIME_COLUMN)
                + " <= VALUES("
                + quote(COMMIT_TIME_COLUMN)
                + ")"
            : null;
    StringJoiner set = new StringJoiner(", ");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (!mapping.isKey(i) && mapping.isWritten(i)) {
        String name = quote(mapping.columns().get(i).name());
        set.add(
            name
                + " = "
                + (newer == null
                    ? "VALUES(" + name + ")"
                    : "IF(" + newer + ", VALUES(" + name + "), " + name + ")"));
      }
    }
    if (newerWins) {
      String name = quote(COMMIT_TIME_COLUMN);
      set.add(name + " = IF(" + newer + ", VALUES(" + name + "), " + name + ")");
    }
    if (set.length() == 0) {
      String first = quote(mapping.columns().get(mapping.key()[0]).name());
      set.add(first + " = " + first);
    }
    return "INSERT INTO "
        + table
        + " "
        + columnList(mapping, newerWins)
        + " "
        + rows
        + " ON DUPLICATE KEY UPDATE "
        + set;
  }

  @Override
  public String insertIfAbsent(TableMapping mapping) {
    String first = quote(mapping.columns().get(mapping.key()[0]).name());
    return "INSERT INTO "
        + qualified(mapping.target())
        + " "
        + columnList(mapping, false)
        + " VALUES "
        + valueList(mapping, false)
        + " ON DUPLICATE KEY UPDATE "
        + first
        + " = "
        + first;
  }

  @Override
  String writeCheckpoint() {
    return "INSERT INTO "
        + checkpointTable()
        + " (`rule`, `position`, `lsn`, `commit_time`, `updated_at`) VALUES (?, ?, ?, ?, ?)"
        + " ON DUPLICATE KEY UPDATE `position` = VALUES(`position`), `lsn` = VALUES(`lsn`),"
        + " `commit_time` = VALUES(`commit_time`), `updated_at` = VALUES(`updated_at`)";
  }
}
