package dev.sluice.capture.internal;

import dev.sluice.journal.SourceType;
import dev.sluice.journal.TypeDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Reads columns' exact types from the source's catalog: the type as a column definition writes it,
 * and how to create each type it needs that is not built in (enums, domains with their constraints,
 * composite types, range types with their multirange, and which extension provides a type).
 *
 * <p>Types are read once per instance (a cache by OID). Not thread-safe; uses a connection it does
 * not own.
 */
final class SourceTypes {
  private final Connection connection;
  private final Map<Long, TypeRow> types = new HashMap<>();
  private final Map<Long, TypeDefinition> definitions = new HashMap<>();
  private Integer serverVersion;

  SourceTypes(Connection connection) {
    this.connection = connection;
  }

  /** A row of {@code pg_type} with what the definitions need. */
  private record TypeRow(
      long oid,
      String schema,
      String name,
      char typtype,
      char category,
      long element,
      long baseType,
      int baseTypmod,
      boolean notNull,
      String defaultText,
      long relation,
      String extension,
      String collation,
      boolean builtIn,
      boolean array) {}

  /**
   * The exact type of a column.
   *
   * @param typeOid the column's {@code atttypid}
   * @param typmod its {@code atttypmod}
   * @param dimensions its {@code attndims} (0 when not declared)
   */
  SourceType of(long typeOid, int typmod, int dimensions) throws SQLException {
    TypeRow type = type(typeOid);
    String expression;
    if (type.array()) {
      int declared = Math.max(1, dimensions);
      expression = expression(type.element(), typmod) + "[]".repeat(declared);
    } else {
      expression = expression(typeOid, typmod);
    }
    Map<Long, TypeDefinition> needed = new LinkedHashMap<>();
    define(typeOid, needed);
    return new SourceType(expression, new ArrayList<>(needed.values()));
  }

  /** A type as a column definition writes it: built-in ones as PostgreSQL formats them. */
  private String expression(long oid, int typmod) throws SQLException {
    TypeRow type = type(oid);
    if (type.array()) {
      return expression(type.element(), typmod) + "[]";
    }
    if (type.builtIn()) {
      try (PreparedStatement statement =
          connection.prepareStatement("SELECT format_type(?::oid, ?)")) {
        statement.setLong(1, oid);
        if (typmod < 0) {
          statement.setNull(2, java.sql.Types.INTEGER);
        } else {
          statement.setInt(2, typmod);
        }
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      }
    }
    return TypeDefinition.quote(type.schema()) + "." + TypeDefinition.quote(type.name());
  }

  /** Adds the definitions a type needs (those it needs first), each once. */
  private void define(long oid, Map<Long, TypeDefinition> needed) throws SQLException {
    if (needed.containsKey(oid)) {
      return;
    }
    TypeRow type = type(oid);
    if (type.array()) {
      define(type.element(), needed);
      return;
    }
    if (type.builtIn()) {
      return;
    }
    TypeDefinition known = definitions.get(oid);
    if (known == null) {
      known = definition(type, needed);
      definitions.put(oid, known);
    } else {
      dependencies(type, needed);
    }
    needed.put(oid, known);
  }

  /** Adds what a known definition needs (for a type read before for another column). */
  private void dependencies(TypeRow type, Map<Long, TypeDefinition> needed) throws SQLException {
    if (type.extension() != null) {
      return;
    }
    switch (type.typtype()) {
      case 'd' -> define(type.baseType(), needed);
      case 'c' -> {
        for (Attribute attribute : attributes(type.relation())) {
          define(attribute.type(), needed);
        }
      }
      case 'r' -> define(range(type.oid()).subtype(), needed);
      case 'm' -> define(multirangeRange(type.oid()), needed);
      default -> {}
    }
  }

  private TypeDefinition definition(TypeRow type, Map<Long, TypeDefinition> needed)
      throws SQLException {
    String name = TypeDefinition.quote(type.schema()) + "." + TypeDefinition.quote(type.name());
    if (type.extension() != null) {
      return new TypeDefinition(
          type.schema(), type.name(), TypeDefinition.Kind.EXTENSION, type.extension(), null);
    }
    switch (type.typtype()) {
      case 'e' -> {
        StringJoiner labels = new StringJoiner(", ");
        for (String label : enumLabels(type.oid())) {
          labels.add(literal(label));
        }
        return new TypeDefinition(
            type.schema(),
            type.name(),
            TypeDefinition.Kind.ENUM,
            null,
            "CREATE TYPE " + name + " AS ENUM (" + labels + ")");
      }
      case 'd' -> {
        define(type.baseType(), needed);
        StringBuilder sql =
            new StringBuilder("CREATE DOMAIN ")
                .append(name)
                .append(" AS ")
                .append(expression(type.baseType(), type.baseTypmod()));
        if (type.collation() != null) {
          sql.append(" COLLATE ").append(type.collation());
        }
        if (type.defaultText() != null) {
          sql.append(" DEFAULT ").append(type.defaultText());
        }
        if (type.notNull()) {
          sql.append(" NOT NULL");
        }
        for (String[] check : checks(type.oid())) {
          sql.append(" CONSTRAINT ")
              .append(TypeDefinition.quote(check[0]))
              .append(' ')
              .append(check[1]);
        }
        return new TypeDefinition(
            type.schema(), type.name(), TypeDefinition.Kind.DOMAIN, null, sql.toString());
      }
      case 'c' -> {
        StringJoiner attributes = new StringJoiner(", ");
        for (Attribute attribute : attributes(type.relation())) {
          define(attribute.type(), needed);
          attributes.add(
              TypeDefinition.quote(attribute.name())
                  + " "
                  + expression(attribute.type(), attribute.typmod())
                  + "[]"
                      .repeat(
                          type(attribute.type()).array()
                              ? Math.max(0, attribute.dimensions() - 1)
                              : 0));
        }
        return new TypeDefinition(
            type.schema(),
            type.name(),
            TypeDefinition.Kind.COMPOSITE,
            null,
            "CREATE TYPE " + name + " AS (" + attributes + ")");
      }
      case 'r' -> {
        Range range = range(type.oid());
        define(range.subtype(), needed);
        StringJoiner options = new StringJoiner(", ");
        options.add("SUBTYPE = " + expression(range.subtype(), range.subtypeTypmod()));
        if (range.opclass() != null) {
          options.add("SUBTYPE_OPCLASS = " + range.opclass());
        }
        if (range.collation() != null) {
          options.add("COLLATION = " + range.collation());
        }
        if (range.canonical() != null) {
          options.add("CANONICAL = " + range.canonical());
        }
        if (range.subtypeDiff() != null) {
          options.add("SUBTYPE_DIFF = " + range.subtypeDiff());
        }
        if (range.multirange() != null) {
          options.add("MULTIRANGE_TYPE_NAME = " + range.multirange());
        }
        return new TypeDefinition(
            type.schema(),
            type.name(),
            TypeDefinition.Kind.RANGE,
            null,
            "CREATE TYPE " + name + " AS RANGE (" + options + ")");
      }
      case 'm' -> {
        // a multirange is created with its range; the range's definition stands for both
        long rangeOid = multirangeRange(type.oid());
        define(rangeOid, needed);
        TypeDefinition rangeDefinition = definitions.get(rangeOid);
        return new TypeDefinition(
            type.schema(),
            type.name(),
            TypeDefinition.Kind.RANGE,
            null,
            rangeDefinition.definition());
      }
      default -> {
        return new TypeDefinition(type.schema(), type.name(), TypeDefinition.Kind.BASE, null, null);
      }
    }
  }

  private TypeRow type(long oid) throws SQLException {
    TypeRow known = types.get(oid);
    if (known != null) {
      return known;
    }
    String sql =
        """
        SELECT n.nspname, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype,
               t.typtypmod, t.typnotnull, t.typdefault, t.typrelid,
               (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                 WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                   AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'),
               CASE WHEN t.typtype = 'd' AND t.typcollation <> 0
                     AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
                    THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(c.collname)
                          FROM pg_collation c JOIN pg_namespace cn ON cn.oid = c.collnamespace
                          WHERE c.oid = t.typcollation) END,
               n.nspname IN ('pg_catalog', 'information_schema'),
               t.typelem <> 0 AND (SELECT e.typarray FROM pg_type e WHERE e.oid = t.typelem) = t.oid
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.oid = ?::oid
        """;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, oid);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the source has no type with OID " + oid);
        }
        TypeRow row =
            new TypeRow(
                oid,
                rs.getString(1),
                rs.getString(2),
                rs.getString(3).charAt(0),
                rs.getString(4).charAt(0),
                rs.getLong(5),
                rs.getLong(6),
                rs.getInt(7),
                rs.getBoolean(8),
                rs.getString(9),
                rs.getLong(10),
                rs.getString(11),
                rs.getString(12),
                rs.getBoolean(13),
                rs.getBoolean(14));
        types.put(oid, row);
        return row;
      }
    }
  }

  private List<String> enumLabels(long oid) throws SQLException {
    List<String> labels = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT enumlabel FROM pg_enum WHERE enumtypid = ?::oid ORDER BY enumsortorder")) {
      statement.setLong(1, oid);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          labels.add(rs.getString(1));
        }
      }
    }
    return labels;
  }

  /** A domain's CHECK constraints: name and definition. */
  private List<String[]> checks(long oid) throws SQLException {
    List<String[]> checks = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE contypid = ?::oid AND contype = 'c' ORDER BY conname")) {
      statement.setLong(1, oid);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          // a constraint added NOT VALID is printed so; CREATE DOMAIN takes the check alone
          checks.add(new String[] {rs.getString(1), rs.getString(2).replace(" NOT VALID", "")});
        }
      }
    }
    return checks;
  }

  private record Attribute(String name, long type, int typmod, int dimensions) {}

  private List<Attribute> attributes(long relation) throws SQLException {
    List<Attribute> attributes = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT attname, atttypid, atttypmod, attndims FROM pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      statement.setLong(1, relation);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          attributes.add(new Attribute(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getInt(4)));
        }
      }
    }
    return attributes;
  }

  private record Range(
      long subtype,
      int subtypeTypmod,
      String opclass,
      String collation,
      String canonical,
      String subtypeDiff,
      String multirange) {}

  private Range range(long oid) throws SQLException {
    String multirange =
        serverVersion() >= 140000
            ? "(SELECT quote_ident(mn.nspname) || '.' || quote_ident(m.typname) FROM pg_type m"
                + " JOIN pg_namespace mn ON mn.oid = m.typnamespace WHERE m.oid = r.rngmultitypid)"
            : "NULL";
    String sql =
        "SELECT r.rngsubtype,"
            + " (SELECT CASE WHEN o.opcdefault THEN NULL"
            + "   ELSE quote_ident(on_.nspname) || '.' || quote_ident(o.opcname) END"
            + "  FROM pg_opclass o JOIN pg_namespace on_ ON on_.oid = o.opcnamespace"
            + "  WHERE o.oid = r.rngsubopc),"
            + " (SELECT quote_ident(cn.nspname) || '.' || quote_ident(c.collname) FROM pg_collation c"
            + "  JOIN pg_namespace cn ON cn.oid = c.collnamespace WHERE c.oid = r.rngcollation"
            + "  AND r.rngcollation <> (SELECT s.typcollation FROM pg_type s WHERE s.oid = r.rngsubtype)),"
            + " (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.proname) FROM pg_proc p"
            + "  JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = r.rngcanonical),"
            + " (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.proname) FROM pg_proc p"
            + "  JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = r.rngsubdiff),"
            + " "
            + multirange
            + " FROM pg_range r WHERE r.rngtypid = ?::oid";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, oid);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the source has no range type with OID " + oid);
        }
        return new Range(
            rs.getLong(1),
            -1,
            rs.getString(2),
            rs.getString(3),
            rs.getString(4),
            rs.getString(5),
            rs.getString(6));
      }
    }
  }

  private long multirangeRange(long oid) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT rngtypid FROM pg_range WHERE rngmultitypid = ?::oid")) {
      statement.setLong(1, oid);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the source has no range of the multirange type " + oid);
        }
        return rs.getLong(1);
      }
    }
  }

  private int serverVersion() throws SQLException {
    if (serverVersion == null) {
      serverVersion = new SourceCatalog(connection).version().number();
    }
    return serverVersion;
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
