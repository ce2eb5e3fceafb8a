package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.apply.internal.Canonical;
import dev.sluice.config.Dialect;
import dev.sluice.config.TableName;
import dev.sluice.journal.Column;
import dev.sluice.journal.PgArrayText;
import dev.sluice.journal.PgText;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import dev.sluice.testkit.PostgresExtension;
import dev.sluice.testkit.TypeMatrix;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The type matrix ({@link TypeMatrix}) through the whole pipeline into every dialect, by a
 * snapshot, streamed inserts, updates and deletes, and every stored value read back and compared
 * with the source's, value by value and type by type:
 *
 * <ul>
 *   <li>PostgreSQL: every column has the source's exact type and every value is the source's text;
 *   <li>other dialects: each column's type is the one the type report names; each value is the
 *       source's exactly, or the report does not call the column exact and the value keeps its
 *       meaning through the documented conversion (the verifier's comparison), or the target
 *       refused it (a dead letter with its reason) and the report calls the column limited. No
 *       value is stored changed without the report saying how.
 * </ul>
 *
 * The report's claims are so checked against what the targets hold, not written down by hand.
 */
class FidelityMatrixIT {
  @RegisterExtension static final PostgresExtension CLUSTER = new PostgresExtension("fidelity");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<String> DIALECTS =
      List.of("postgresql", "mariadb", "sqlite", "mongodb");

  private static TestTarget target(String dialect) throws Exception {
    return switch (dialect) {
      case "postgresql" -> new TestTarget.Postgres(CLUSTER.cluster());
      case "mariadb" -> new TestTarget.MariaDb();
      case "sqlite" -> new TestTarget.Sqlite();
      default -> new TestTarget.Mongo();
    };
  }

  @Test
  void everyValueArrivesExactlyOrAsTheReportSaysOrIsRefusedWithItsReason() throws Exception {
    Map<String, TestTarget> targets = new LinkedHashMap<>();
    try (Pipeline p = new Pipeline(CLUSTER.cluster())) {
      StringBuilder yamlTargets = new StringBuilder();
      StringBuilder yamlRules = new StringBuilder();
      for (String dialect : DIALECTS) {
        TestTarget target = target(dialect);
        targets.put(dialect, target);
        yamlTargets.append(dialect).append(": ").append(target.yaml()).append(", ");
        yamlRules
            .append("{ name: ")
            .append(dialect)
            .append(", target: ")
            .append(dialect)
            .append(", onError: skip }, ");
      }
      TestTarget.Postgres postgres = (TestTarget.Postgres) targets.get("postgresql");
      for (String setup : TypeMatrix.SETUP) {
        if (setup.startsWith("CREATE EXTENSION")) {
          postgres.execute(setup); // extensions are the target's to install
        }
      }
      p.configure(
          """
          source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s, tables: ["m_*", flush_mark] }
          journal: { dir: "${DIR}/journal" }
          targets: { %s }
          rules: [ %s ]
          """
              .formatted(yamlTargets, yamlRules));
      p.sql(TypeMatrix.SETUP.toArray(new String[0]));
      p.sql(TypeMatrix.createTables().toArray(new String[0]));
      p.sql(TypeMatrix.inserts(1, true).toArray(new String[0]));
      p.start();
      p.sql(TypeMatrix.inserts(1001, false).toArray(new String[0]));
      p.sql(TypeMatrix.rotations(1001).toArray(new String[0]));
      p.sql(TypeMatrix.rotations(1).toArray(new String[0]));
      for (TypeMatrix.Type type : TypeMatrix.types()) {
        p.sql("DELETE FROM " + type.table() + " WHERE id = 1001");
      }
      p.flush(id -> targets.values().stream().allMatch(t -> t.has("flush_mark", id)));

      List<String> problems = new ArrayList<>();
      Map<String, Map<Integer, String>> sourceRows = new HashMap<>();
      try (Connection source = p.source.connect(p.database)) {
        for (TypeMatrix.Type type : TypeMatrix.types()) {
          sourceRows.put(type.table(), text(source, type.table()));
        }
      }
      for (String dialect : DIALECTS) {
        check(p, dialect, targets.get(dialect), sourceRows, problems);
      }
      assertThat(problems).as("values and types that differ from the report").isEmpty();
    } finally {
      for (TestTarget target : targets.values()) {
        target.close();
      }
    }
  }

  private static void check(
      Pipeline p,
      String dialect,
      TestTarget target,
      Map<String, Map<Integer, String>> sourceRows,
      List<String> problems)
      throws Exception {
    Path journal = p.dir.resolve("journal");
    Map<String, Set<Integer>> refused = deadLetters(journal, dialect);
    Map<String, Set<String>> refusals = refusals(journal, dialect);
    StringBuilder summary = new StringBuilder("type matrix into " + dialect + ":\n");
    for (TypeMatrix.Type type : TypeMatrix.types()) {
      TableSchema schema = latestSchema(p, type.table());
      Column column = schema.columns().get(schema.indexOf("v"));
      TypeMapping mapping = report(p, dialect, schema);
      Map<Integer, String> source = sourceRows.get(type.table());
      Set<Integer> refusedKeys = refused.getOrDefault(type.table(), Set.of());
      if (!refusedKeys.isEmpty() && mapping.fidelity() != Fidelity.LIMITED) {
        problems.add(
            dialect
                + " "
                + type.table()
                + ": the target refused keys "
                + refusedKeys
                + " but the report calls "
                + mapping.fidelity());
      }
      if (target instanceof TestTarget.Postgres postgres) {
        checkPostgres(postgres, p, type, column, mapping, source, problems);
      } else {
        checkOther(
            target,
            dialect,
            type,
            column,
            mapping,
            source,
            refusedKeys,
            refusals.getOrDefault(type.table(), Set.of()),
            problems,
            summary);
      }
    }
    System.out.print(summary);
  }

  /** PostgreSQL: the exact type, and every value's text. */
  private static void checkPostgres(
      TestTarget.Postgres target,
      Pipeline p,
      TypeMatrix.Type type,
      Column column,
      TypeMapping mapping,
      Map<Integer, String> source,
      List<String> problems)
      throws Exception {
    String sourceType = formatType(p.source.connect(p.database), type.table());
    String targetType = formatType(target.connect(), type.table());
    if (!sourceType.equals(targetType) || mapping.fidelity() != Fidelity.EXACT) {
      problems.add(
          "postgresql "
              + type.table()
              + ": source type "
              + sourceType
              + ", target type "
              + targetType
              + ", reported "
              + mapping);
    }
    Map<Integer, String> stored;
    try (Connection connection = target.connect()) {
      stored = text(connection, type.table());
    }
    if (!stored.equals(source)) {
      problems.add("postgresql " + type.table() + ": source " + source + ", target " + stored);
    }
  }

  /** Other dialects: the reported type, and each value exact, converted as reported, or refused. */
  private static void checkOther(
      TestTarget target,
      String dialect,
      TypeMatrix.Type type,
      Column column,
      TypeMapping mapping,
      Map<Integer, String> source,
      Set<Integer> refusedKeys,
      Set<String> refusals,
      List<String> problems,
      StringBuilder summary) {
    Dialect kind =
        dialect.equals("mariadb") ? Dialect.MYSQL : Dialect.valueOf(dialect.toUpperCase());
    String storedType = storedType(target, dialect, type.table());
    if (storedType != null && !sameType(storedType, mapping.targetType(), dialect)) {
      problems.add(
          dialect
              + " "
              + type.table()
              + ": stored as "
              + storedType
              + ", reported "
              + mapping.targetType());
    }
    Map<Integer, Object> stored = stored(target, type.table(), column);
    Set<String> converted = new java.util.LinkedHashSet<>();
    for (Map.Entry<Integer, String> row : source.entrySet()) {
      int id = row.getKey();
      if (refusedKeys.contains(id)) {
        continue;
      }
      if (!stored.containsKey(id)) {
        problems.add(
            dialect + " " + type.table() + " id " + id + ": missing on the target, not refused");
        continue;
      }
      Object sourceValue =
          row.getValue() == null ? null : PgText.value(row.getValue(), column.kind());
      Object targetValue = stored.get(id);
      if (kind == Dialect.MONGODB && !bsonTypeIs(mapping.targetType(), targetValue)) {
        problems.add(
            dialect
                + " "
                + type.table()
                + " id "
                + id
                + ": stored as "
                + (targetValue == null ? null : targetValue.getClass().getSimpleName())
                + ", reported "
                + mapping.targetType());
      }
      String exact = strict(sourceValue, column, true);
      String held = strict(targetValue, column, false);
      if (exact.equals(held)) {
        continue;
      }
      String canonicalSource = Canonical.ofSource(sourceValue, column, kind);
      String canonicalTarget = Canonical.ofTarget(targetValue, column, kind);
      converted.add(row.getValue() + " -> " + held);
      if (mapping.fidelity() == Fidelity.EXACT || !canonicalSource.equals(canonicalTarget)) {
        problems.add(
            dialect
                + " "
                + type.table()
                + " id "
                + id
                + ": source "
                + row.getValue()
                + " stored as "
                + held
                + " (reported "
                + mapping.fidelity()
                + " "
                + mapping.targetType()
                + ": "
                + mapping.note()
                + "; meaning "
                + canonicalSource
                + " vs "
                + canonicalTarget
                + ")");
      }
    }
    summary
        .append("  ")
        .append(type.table())
        .append(" ")
        .append(mapping.fidelity())
        .append(" ")
        .append(mapping.targetType())
        .append(converted.isEmpty() ? "" : " converted " + converted)
        .append(refusals.isEmpty() ? "" : " refused " + refusals)
        .append('\n');
  }

  /**
   * The values a target holds, by id, as its driver gives them (a time as text: JDBC's Time drops
   * fractions and wraps 24:00).
   */
  private static Map<Integer, Object> stored(TestTarget target, String table, Column column) {
    Map<Integer, Object> stored = new HashMap<>();
    if (target instanceof TestTarget.Sql sql) {
      try (Connection c = sql.connect();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT "
                      + sql.quote("id")
                      + ", "
                      + sql.quote("v")
                      + " FROM "
                      + sql.quote(table))) {
        while (rs.next()) {
          stored.put(
              rs.getInt(1), column.kind() == ValueKind.TIME ? rs.getString(2) : rs.getObject(2));
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return stored;
    }
    for (Map<String, Object> row : target.rowsOf(table)) {
      stored.put(((Number) row.get("_id")).intValue(), row.get("v"));
    }
    return stored;
  }

  /** A value's identity: what no documented conversion may change without saying so. */
  static String strict(Object value, Column column, boolean fromSource) {
    if (value == null) {
      return "NULL";
    }
    if (column.kind() == ValueKind.ARRAY) {
      List<?> elements;
      if (value instanceof String text && fromSource) {
        PgArrayText array = PgArrayText.parse(text, PgArrayText.delimiterOf(elementType(column)));
        if (array.lowerBounds() != null) {
          return "bounded " + text;
        }
        elements = array.elements();
      } else if (value instanceof List<?> list) {
        elements = list;
      } else {
        try {
          elements = JSON.convertValue(JSON.readTree(value.toString()), List.class);
        } catch (Exception e) {
          return "text " + value;
        }
      }
      return strictElements(elements, column, fromSource);
    }
    return strictScalar(value, column.kind(), fromSource);
  }

  private static String strictElements(List<?> elements, Column column, boolean fromSource) {
    List<String> items = new ArrayList<>();
    for (Object element : elements) {
      if (element instanceof List<?> inner) {
        items.add(strictElements(inner, column, fromSource));
      } else if (element == null) {
        items.add("NULL");
      } else if (fromSource) {
        items.add(
            strictScalar(
                PgText.value((String) element, column.elementKind()), column.elementKind(), true));
      } else {
        items.add(strictScalar(element, column.elementKind(), false));
      }
    }
    return items.toString();
  }

  private static String strictScalar(Object value, ValueKind kind, boolean fromSource) {
    return switch (kind) {
      case BOOLEAN ->
          value instanceof Boolean b ? "bool " + b : value.getClass().getSimpleName() + " " + value;
      case INT16, INT32, INT64 ->
          value instanceof Number n ? "int " + n.longValue() : "text " + value;
      case FLOAT32, FLOAT64 ->
          value instanceof Number n
              ? "float " + Long.toHexString(Double.doubleToRawLongBits(n.doubleValue()))
              : value instanceof String s && isFloatText(s)
                  ? "float " + Long.toHexString(Double.doubleToRawLongBits(Double.parseDouble(s)))
                  : "text " + value;
      case DECIMAL ->
          value instanceof Decimal128 d
              ? "dec "
                  + (d.isNaN()
                      ? "NaN"
                      : d.isInfinite()
                          ? (d.isNegative() ? "-Infinity" : "Infinity")
                          : d.bigDecimalValue().toPlainString())
              : value instanceof BigDecimal b ? "dec " + b.toPlainString() : "dec " + value;
      case BYTES ->
          "bytes "
              + java.util.HexFormat.of()
                  .formatHex(
                      value instanceof Binary b
                          ? b.getData()
                          : value instanceof byte[] a ? a : new byte[0])
              + (value instanceof byte[] || value instanceof Binary ? "" : " " + value);
      case DATE, TIME, TIMESTAMP, TIMESTAMPTZ ->
          !fromSource && value instanceof Number
              ? "a number " + value // a date or time stored as a number is not the source's
              : switch (kind) {
                case DATE -> "date " + days(value);
                case TIME -> "time " + micros(value);
                default -> "ts " + pgMicros(value);
              };
      default ->
          value instanceof String
              ? "text " + value
              : value.getClass().getSimpleName() + " " + value;
    };
  }

  private static boolean isFloatText(String s) {
    return s.equals("NaN") || s.endsWith("Infinity");
  }

  private static String days(Object value) {
    if (value instanceof Integer days) {
      return days.toString();
    }
    if (value instanceof LocalDate date) {
      return Long.toString(date.toEpochDay());
    }
    if (value instanceof java.sql.Date date) {
      return Long.toString(date.toLocalDate().toEpochDay());
    }
    if (value instanceof java.util.Date date) {
      long millis = date.getTime();
      return millis % 86_400_000L == 0
          ? Long.toString(Math.floorDiv(millis, 86_400_000L))
          : "millis " + millis;
    }
    String text = value.toString();
    if (text.equals("infinity")) {
      return Integer.toString(Integer.MAX_VALUE);
    }
    if (text.equals("-infinity")) {
      return Integer.toString(Integer.MIN_VALUE);
    }
    try {
      return Long.toString(LocalDate.parse(text).toEpochDay());
    } catch (RuntimeException e) {
      return "text " + text;
    }
  }

  private static String micros(Object value) {
    if (value instanceof Long micros) {
      return micros.toString();
    }
    if (value instanceof LocalTime time) {
      return Long.toString(time.toNanoOfDay() / 1000);
    }
    if (value instanceof java.sql.Time time) {
      return Long.toString(time.toLocalTime().toNanoOfDay() / 1000);
    }
    String text = value.toString();
    try {
      return Long.toString(
          text.startsWith("24:00") ? 86_400_000_000L : LocalTime.parse(text).toNanoOfDay() / 1000);
    } catch (RuntimeException e) {
      return "text " + text;
    }
  }

  private static String pgMicros(Object value) {
    Instant instant;
    if (value instanceof Long unix) {
      return Long.toString(PgText.pgMicros(unix));
    } else if (value instanceof LocalDateTime time) {
      instant = time.toInstant(ZoneOffset.UTC);
    } else if (value instanceof java.sql.Timestamp time) {
      instant = time.toLocalDateTime().toInstant(ZoneOffset.UTC);
    } else if (value instanceof OffsetDateTime time) {
      instant = time.toInstant();
    } else if (value instanceof java.util.Date date) {
      instant = date.toInstant();
    } else {
      String text = value.toString();
      try {
        return Long.toString(PgText.parseTimestamp(text));
      } catch (RuntimeException notPostgres) {
        try {
          instant =
              text.endsWith("Z")
                  ? Instant.parse(text)
                  : LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
          return "text " + text;
        }
      }
    }
    return Long.toString(
        (instant.getEpochSecond() - PgText.PG_EPOCH_MICROS / 1_000_000) * 1_000_000
            + instant.getNano() / 1000);
  }

  private static String elementType(Column column) {
    String type = column.pgType();
    int bracket = type.indexOf('[');
    return bracket < 0 ? type : type.substring(0, bracket);
  }

  /** A column's type as the target created it, or null for MongoDB (checked per value). */
  private static String storedType(TestTarget target, String dialect, String table) {
    try {
      if (target instanceof TestTarget.MariaDb mariadb) {
        try (Connection c = mariadb.connect();
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '"
                        + mariadb.database
                        + "' AND TABLE_NAME = '"
                        + table
                        + "' AND COLUMN_NAME = 'v'")) {
          return rs.next() ? rs.getString(1) : "absent";
        }
      }
      if (target instanceof TestTarget.Sqlite sqlite) {
        try (Connection c = sqlite.connect();
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT type FROM pragma_table_info('" + table + "') WHERE name = 'v'")) {
          return rs.next() ? rs.getString(1) : "absent";
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return null;
  }

  /** Whether a value MongoDB holds is of the BSON type the report names (null is any). */
  private static boolean bsonTypeIs(String reported, Object value) {
    if (value == null) {
      return true;
    }
    return switch (reported) {
      case "int" -> value instanceof Integer;
      case "long" -> value instanceof Long;
      case "double" -> value instanceof Double;
      case "decimal" -> value instanceof Decimal128;
      case "string" -> value instanceof String;
      case "bool" -> value instanceof Boolean;
      case "binData" -> value instanceof Binary;
      case "date" -> value instanceof java.util.Date;
      case "array" -> value instanceof List<?>;
      default -> true; // "object": a JSON value is held as the BSON value of its kind
    };
  }

  /** MariaDB names some types its own way: BOOLEAN is tinyint(1), JSON a checked longtext. */
  private static boolean sameType(String stored, String reported, String dialect) {
    String want = reported.toLowerCase();
    String have = stored.toLowerCase();
    if (dialect.equals("mariadb")) {
      have = have.replaceAll("^(tinyint|smallint|int|bigint)\\(\\d+\\)", "$1");
      want = want.replace("boolean", "tinyint").replace("json", "longtext");
      have = have.replace("tinyint(1)", "tinyint");
    }
    return have.equals(want);
  }

  /** Each row's value as the text of its type's output function, by id. */
  private static Map<Integer, String> text(Connection connection, String table) throws Exception {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "SET DateStyle = ISO; SET IntervalStyle = iso_8601; SET extra_float_digits = 3;"
              + " SET TimeZone = '"
              + java.util.TimeZone.getDefault().getID()
              + "'");
      String query;
      try (ResultSet rs = statement.executeQuery(TypeMatrix.textQuery(table))) {
        rs.next();
        query = rs.getString(1);
      }
      Map<Integer, String> rows = new LinkedHashMap<>();
      try (ResultSet rs = statement.executeQuery(query)) {
        while (rs.next()) {
          rows.put(rs.getInt(1), rs.getString(2));
        }
      }
      return rows;
    }
  }

  private static String formatType(Connection connection, String table) throws Exception {
    try (connection;
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT format_type(atttypid, atttypmod) || repeat('[]', greatest(attndims - 1, 0))"
                    + " || ' ' || t.typtype::text || ' ' || t.typnamespace::regnamespace::text"
                    + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                    + " WHERE attrelid = '"
                    + table
                    + "'::regclass AND attname = 'v'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static TableSchema latestSchema(Pipeline p, String table) {
    TableSchema latest = null;
    for (TableSchema schema : p.journal.schemas()) {
      if (schema.table().equals(new TableName("public", table))) {
        latest = schema;
      }
    }
    return latest;
  }

  private static TypeMapping report(Pipeline p, String rule, TableSchema schema) {
    dev.sluice.config.RuleConfig ruleConfig =
        p.config.rules().stream().filter(r -> r.name().equals(rule)).findFirst().orElseThrow();
    return Compatibility.report(p.config, ruleConfig, List.of(schema)).stream()
        .filter(line -> line.column().equals("v"))
        .findFirst()
        .orElseThrow()
        .mapping();
  }

  /** The keys of the changes the rule refused, by table name. */
  private static Map<String, Set<Integer>> deadLetters(Path journal, String rule) throws Exception {
    Map<String, Set<Integer>> keys = new HashMap<>();
    for (JsonNode letter : letters(journal, rule)) {
      JsonNode change = letter.get("change");
      String table = change.get("table").asText().replace("public.", "");
      keys.computeIfAbsent(table, t -> new HashSet<>()).add(change.get("key").get("id").asInt());
    }
    return keys;
  }

  /** The values the rule refused and why, by table name (each value once). */
  private static Map<String, Set<String>> refusals(Path journal, String rule) throws Exception {
    Map<String, Set<String>> refusals = new HashMap<>();
    for (JsonNode letter : letters(journal, rule)) {
      JsonNode change = letter.get("change");
      String table = change.get("table").asText().replace("public.", "");
      JsonNode row = change.get("after").isNull() ? change.get("before") : change.get("after");
      String error = letter.get("error").asText();
      refusals
          .computeIfAbsent(table, t -> new java.util.TreeSet<>())
          .add(row.get("v") + " (" + error.substring(error.indexOf(": ") + 2) + ")");
    }
    return refusals;
  }

  private static List<JsonNode> letters(Path journal, String rule) throws Exception {
    List<JsonNode> letters = new ArrayList<>();
    Path file = journal.resolve("dead-letters").resolve(rule + ".jsonl");
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        letters.add(JSON.readTree(line));
      }
    }
    return letters;
  }
}
