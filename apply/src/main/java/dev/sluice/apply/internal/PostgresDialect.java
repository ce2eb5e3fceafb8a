package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.PgText;
import dev.sluice.journal.TypeDefinition;
import dev.sluice.journal.ValueKind;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * PostgreSQL targets: every column has the source's exact type ({@link Column#sourceType()}):
 * domains, enums, composite and range types are created on the target from the source's
 * definitions, extension types need the extension there, generated columns are generated on the
 * target with the source's expression (and never written). Values are bound in their native form
 * when they are numbers, booleans or bytes, otherwise as PostgreSQL's own text, always with a cast
 * to the column's type: the target parses exactly what the source printed.
 *
 * <p>Journals written before exact types were recorded give only a column's base type: enums are
 * created from their labels, other types that exist only on the source become {@code text}.
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
    if (column.sourceType() != null) {
      return TypeMapping.exact(column.sourceType().expression());
    }
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
    statements.addAll(createTypes(mapping.columns()));
    for (Column column : mapping.columns()) {
      if (column.sourceType() != null) {
        continue;
      }
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
  String generation(Column column) {
    return column.isGenerated()
        ? " GENERATED ALWAYS AS (" + column.generated().expression() + ") STORED"
        : "";
  }

  /**
   * The statements that create the types the columns need and the target lacks (each once, in the
   * order they need each other), with their schemas. A type that exists already is left as it is.
   */
  List<String> createTypes(List<Column> columns) {
    return createTypes(columns, Set.of());
  }

  /**
   * The statements that create the types the columns need which the target lacks, for a table that
   * exists (created by an earlier version, or before the source used these types).
   */
  List<String> createMissingTypes(java.sql.Connection connection, List<Column> columns)
      throws SQLException {
    Set<String> present = new java.util.HashSet<>();
    try (PreparedStatement exists = connection.prepareStatement("SELECT to_regtype(?)")) {
      for (Column column : columns) {
        if (column.sourceType() == null) {
          continue;
        }
        for (TypeDefinition definition : column.sourceType().definitions()) {
          exists.setString(1, definition.qualifiedName());
          try (java.sql.ResultSet rs = exists.executeQuery()) {
            if (rs.next() && rs.getString(1) != null) {
              present.add(definition.qualifiedName());
            }
          }
        }
      }
    }
    return createTypes(columns, present);
  }

  private List<String> createTypes(List<Column> columns, Set<String> present) {
    List<String> statements = new ArrayList<>();
    Set<String> created = new java.util.HashSet<>(present);
    for (Column column : columns) {
      if (column.sourceType() == null) {
        continue;
      }
      for (TypeDefinition definition : column.sourceType().definitions()) {
        if (definition.definition() == null || !created.add(definition.qualifiedName())) {
          continue;
        }
        if (created.add("schema " + definition.schema())) {
          statements.add("CREATE SCHEMA IF NOT EXISTS " + quote(definition.schema()));
        }
        String tag = dollarTag(definition.definition());
        statements.add(
            "DO "
                + tag
                + " BEGIN "
                + definition.definition()
                + "; EXCEPTION WHEN duplicate_object THEN NULL; END "
                + tag);
      }
    }
    return statements;
  }

  /**
   * The types the columns need that a target must have already and does not (extension types, base
   * types created outside any extension), each with the fix; empty when none is missing.
   */
  static List<String> missingTypes(java.sql.Connection connection, List<Column> columns)
      throws SQLException {
    List<String> missing = new ArrayList<>();
    Set<String> checked = new java.util.HashSet<>();
    try (PreparedStatement exists = connection.prepareStatement("SELECT to_regtype(?)")) {
      for (Column column : columns) {
        if (column.sourceType() == null) {
          continue;
        }
        for (TypeDefinition definition : column.sourceType().definitions()) {
          if (definition.definition() != null || !checked.add(definition.qualifiedName())) {
            continue;
          }
          exists.setString(1, definition.qualifiedName());
          try (java.sql.ResultSet rs = exists.executeQuery()) {
            if (rs.next() && rs.getString(1) != null) {
              continue;
            }
          }
          missing.add(
              definition.kind() == TypeDefinition.Kind.EXTENSION
                  ? "type "
                      + definition.qualifiedName()
                      + " (column "
                      + column.name()
                      + ") comes from the extension "
                      + definition.extension()
                      + ", which the target lacks: CREATE EXTENSION "
                      + quoteIdentifier(definition.extension())
                      + " SCHEMA "
                      + quoteIdentifier(definition.schema())
                      + ";"
                  : "type "
                      + definition.qualifiedName()
                      + " (column "
                      + column.name()
                      + ") is a base type the target lacks: create it there as on the source");
        }
      }
    }
    return missing;
  }

  private static String quoteIdentifier(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  @Override
  String placeholder(Column column) {
    if (column.sourceType() != null) {
      return "CAST(? AS " + column.sourceType().expression() + ")";
    }
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
      case ARRAY ->
          statement.setString(
              index,
              value instanceof String text
                  ? text
                  : arrayLiteral((List<?>) value, column.elementKind()));
      default -> statement.setString(index, text(value, column.kind()));
    }
  }

  /** A value in PostgreSQL's text input form. */
  static String text(Object value, ValueKind kind) {
    return PgText.format(value, kind);
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
    return upsert(mapping, newerWins, "VALUES " + valueList(mapping, newerWins));
  }

  @Override
  String upsert(TableMapping mapping, boolean newerWins, String rows) {
    StringJoiner set = new StringJoiner(", ");
    for (int i = 0; i < mapping.columns().size(); i++) {
      if (!mapping.isKey(i) && mapping.isWritten(i)) {
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
            + " "
            + rows
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
