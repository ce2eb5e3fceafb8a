package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * PostgreSQL targets: every column keeps its exact source type (enums are created on the target;
 * types that exist only on the source, such as composite types, become {@code text}). Values that
 * are not plain numbers, booleans, text or bytes are sent in PostgreSQL's text form and cast.
 */
final class PostgresDialect extends SqlDialect {
  private static final Set<String> BUILT_IN =
      Set.of(
          "inet",
          "cidr",
          "macaddr",
          "macaddr8",
          "tsvector",
          "tsquery",
          "point",
          "line",
          "lseg",
          "box",
          "path",
          "polygon",
          "circle",
          "bit",
          "bit varying",
          "xml",
          "money",
          "pg_lsn",
          "txid_snapshot",
          "oid");

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  @Override
  public TypeMapping map(Column column, boolean key) {
    if (column.kind() == ValueKind.OTHER
        && !BUILT_IN.contains(SqlValues.baseType(column.pgType()))) {
      return TypeMapping.converted(
          "text", "a type that exists only on the source is stored as its text");
    }
    return TypeMapping.exact(column.pgType());
  }

  @Override
  List<String> prepareTable(TableMapping mapping) {
    List<String> statements = new ArrayList<>();
    if (mapping.target().schema() != null) {
      statements.add("CREATE SCHEMA IF NOT EXISTS " + quote(mapping.target().schema()));
    }
    for (Column column : mapping.columns()) {
      boolean isEnum = column.kind() == ValueKind.ENUM || column.elementKind() == ValueKind.ENUM;
      if (isEnum && !column.enumValues().isEmpty()) {
        String type = column.pgType().replace("[]", "");
        StringJoiner labels = new StringJoiner(", ");
        column.enumValues().forEach(label -> labels.add("'" + label.replace("'", "''") + "'"));
        String create = "CREATE TYPE " + type + " AS ENUM (" + labels + ")";
        String tag = dollarTag(create);
        statements.add(
            "DO "
                + tag
                + " BEGIN "
                + create
                + "; EXCEPTION WHEN duplicate_object THEN NULL; END "
                + tag);
      }
    }
    return statements;
  }

  /**
   * A dollar-quote tag ({@code $sluice$}, else {@code $sluice1$}, ...) that does not occur in
   * {@code body}, so the body (enum labels are the source's data) cannot end the quoted block.
   */
  static String dollarTag(String body) {
    String tag = "$sluice$";
    for (int n = 1; body.contains(tag); n++) {
      tag = "$sluice" + n + "$";
    }
    return tag;
  }

  @Override
  String placeholder(Column column) {
    return switch (column.kind()) {
      case BOOLEAN, INT16, INT32, INT64, FLOAT32, FLOAT64, TEXT, BYTES -> "?";
      default -> "CAST(? AS " + map(column, false).targetType() + ")";
    };
  }

  @Override
  public void bind(PreparedStatement statement, int index, Object value, Column column)
      throws SQLException {
    switch (column.kind()) {
      case BOOLEAN -> statement.setBoolean(index, (Boolean) value);
      case INT16 -> statement.setShort(index, (Short) value);
      case INT32 -> statement.setInt(index, (Integer) value);
      case INT64 -> statement.setLong(index, (Long) value);
      case FLOAT32 -> statement.setFloat(index, (Float) value);
      case FLOAT64 -> statement.setDouble(index, (Double) value);
      case BYTES -> statement.setBytes(index, (byte[]) value);
      case ARRAY -> statement.setString(index, arrayLiteral((List<?>) value, column.elementKind()));
      default -> statement.setString(index, text(value, column.kind()));
    }
  }

  /** A value in PostgreSQL's text input form. */
  static String text(Object value, ValueKind kind) {
    return switch (kind) {
      case TIMESTAMP ->
          infinity((Long) value) != null
              ? infinity((Long) value)
              : era(SqlValues.timestampText((Long) value));
      case TIMESTAMPTZ ->
          infinity((Long) value) != null
              ? infinity((Long) value)
              : era(ValueText.timestampTz((Long) value));
      case DATE -> era(ValueText.date((Integer) value));
      case TIME -> ValueText.time((Long) value);
      case BYTES -> ValueText.bytes((byte[]) value);
      default -> String.valueOf(value);
    };
  }

  /**
   * PostgreSQL's form of a year before 1: Java's proleptic year {@code -4712} is {@code 4713 BC}
   * (there is no year 0).
   */
  static String era(String iso) {
    if (!iso.startsWith("-") && !iso.startsWith("0000")) {
      return iso;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(-?\\d+)(.*)$").matcher(iso);
    if (!m.matches()) {
      return iso;
    }
    long year = Long.parseLong(m.group(1));
    return String.format("%04d", 1 - year) + m.group(2) + " BC";
  }

  private static String infinity(long micros) {
    return micros == Long.MAX_VALUE ? "infinity" : micros == Long.MIN_VALUE ? "-infinity" : null;
  }

  /** {@code {1,NULL,"a b"}}: every element quoted, quotes and backslashes escaped. */
  static String arrayLiteral(List<?> list, ValueKind elementKind) {
    StringJoiner literal = new StringJoiner(",", "{", "}");
    for (Object element : list) {
      if (element == null) {
        literal.add("NULL");
      } else {
        String text = text(element, elementKind);
        literal.add('"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
      }
    }
    return literal.toString();
  }

  /** Any default, as PostgreSQL's text form cast to the column's type. */
  @Override
  String defaultLiteral(Column column, String targetType) {
    return column.defaultText() == null
        ? null
        : ColumnDefault.quoted(column.defaultText()) + "::" + targetType;
  }

  @Override
  public String alterColumnType(TableMapping mapping, int index) {
    Column column = mapping.columns().get(index);
    String type = typeOf(mapping, index).targetType();
    return "ALTER TABLE "
        + qualified(mapping.target())
        + " ALTER COLUMN "
        + quote(column.name())
        + " TYPE "
        + type
        + " USING "
        + quote(column.name())
        + "::"
        + type;
  }

  @Override
  public String upsert(TableMapping mapping, boolean newerWins) {
    StringJoiner set = new StringJoiner(", ");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (!mapping.isKey(i)) {
        String name = quote(mapping.columns().get(i).name());
        set.add(name + " = EXCLUDED." + name);
      }
    }
    if (newerWins) {
      set.add(quote(COMMIT_TIME_COLUMN) + " = EXCLUDED." + quote(COMMIT_TIME_COLUMN));
    }
    String insert =
        "INSERT INTO "
            + qualified(mapping.target())
            + " "
            + columnList(mapping, newerWins)
            + " VALUES "
            + valueList(mapping, newerWins)
            + " ON CONFLICT ("
            + keyColumns(mapping)
            + ")";
    if (set.length() == 0) {
      return insert + " DO NOTHING";
    }
    String table = qualified(mapping.target());
    return insert
        + " DO UPDATE SET "
        + set
        + (newerWins
            ? " WHERE "
                + table
                + "."
                + quote(COMMIT_TIME_COLUMN)
                + " IS NULL OR "
                + table
                + "."
                + quote(COMMIT_TIME_COLUMN)
                + " <= EXCLUDED."
                + quote(COMMIT_TIME_COLUMN)
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
  public String truncate(TableMapping mapping) {
    return "TRUNCATE " + qualified(mapping.target());
  }

  @Override
  String checkpointTable() {
    return quote("sluice") + "." + quote(CHECKPOINT_TABLE);
  }

  @Override
  List<String> createCheckpointTable() {
    List<String> statements = new ArrayList<>();
    statements.add("CREATE SCHEMA IF NOT EXISTS " + quote("sluice"));
    statements.addAll(super.createCheckpointTable());
    return statements;
  }

  @Override
  String writeCheckpoint() {
    return "INSERT INTO "
        + checkpointTable()
        + " (rule, position, lsn, commit_time, updated_at) VALUES (?, ?, ?, ?, ?)"
        + " ON CONFLICT (rule) DO UPDATE SET position = EXCLUDED.position, lsn = EXCLUDED.lsn,"
        + " commit_time = EXCLUDED.commit_time, updated_at = EXCLUDED.updated_at";
  }
}
