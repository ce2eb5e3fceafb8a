package dev.sluice.apply.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The width of a target column's type, in one of three families where a type can hold every value
 * of a narrower one: integers (bytes), variable-length text (characters) and exact decimals
 * (precision and scale). Compares the type a target column has (as JDBC metadata describes it) with
 * the type a source column needs, so that a widening change on the source (int to bigint,
 * varchar(10) to varchar(50), numeric(10,2) to numeric(12,2)) widens the target column, and a
 * narrowing one never narrows it.
 *
 * @param family the family, or {@link Family#OTHER} when the type is in none of them
 * @param size bytes, characters or precision; {@link Integer#MAX_VALUE} for unbounded
 * @param scale digits after the point (decimals only; {@link Integer#MAX_VALUE} when unbounded)
 */
record ColumnWidth(Family family, int size, int scale) {
  /** The families of types. */
  enum Family {
    INTEGER,
    TEXT,
    DECIMAL,
    OTHER
  }

  /** How a wanted type compares with the type a column has. */
  enum Comparison {
    /** The same width: nothing to do. */
    SAME,
    /** The wanted type holds every value of the column's type and more: widen the column. */
    WIDER,
    /** The column's type already holds some values that the wanted type cannot: keep it. */
    NARROWER,
    /** Different families, or a type outside them. */
    UNRELATED
  }

  private static final int UNBOUNDED = Integer.MAX_VALUE;
  private static final ColumnWidth OTHER = new ColumnWidth(Family.OTHER, 0, 0);
  private static final Pattern SIZED =
      Pattern.compile("^([a-z ]+?)\\s*(?:\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?$");

  /** The width of a type as written in DDL ({@code BIGINT}, {@code character varying(50)}). */
  static ColumnWidth ofDeclared(String type) {
    Matcher m = SIZED.matcher(type.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return OTHER;
    }
    int size = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
    int scale = m.group(3) == null ? (size < 0 ? -1 : 0) : Integer.parseInt(m.group(3));
    return of(m.group(1), size, scale);
  }

  /**
   * The width of a column as JDBC metadata describes it ({@code TYPE_NAME}, {@code COLUMN_SIZE},
   * {@code DECIMAL_DIGITS}).
   */
  static ColumnWidth ofMetadata(String typeName, int columnSize, int decimalDigits) {
    String name = typeName.toLowerCase(Locale.ROOT).replace(" unsigned", "").trim();
    ColumnWidth width = of(name, columnSize, decimalDigits);
    if (width.family == Family.TEXT && columnSize >= 10_485_760) {
      return new ColumnWidth(Family.TEXT, UNBOUNDED, 0); // PostgreSQL's varchar without a length
    }
    if (width.family == Family.DECIMAL && (columnSize <= 0 || columnSize >= 1000)) {
      return new ColumnWidth(Family.DECIMAL, UNBOUNDED, UNBOUNDED); // numeric without precision
    }
    return width;
  }

  private static ColumnWidth of(String name, int size, int scale) {
    return switch (name) {
      case "smallint", "int2", "smallserial" -> new ColumnWidth(Family.INTEGER, 2, 0);
      case "int", "integer", "int4", "serial", "mediumint" -> new ColumnWidth(Family.INTEGER, 4, 0);
      case "bigint", "int8", "bigserial" -> new ColumnWidth(Family.INTEGER, 8, 0);
      case "varchar", "character varying" ->
          new ColumnWidth(Family.TEXT, size > 0 ? size : UNBOUNDED, 0);
      case "text", "mediumtext", "longtext" -> new ColumnWidth(Family.TEXT, UNBOUNDED, 0);
      case "numeric", "decimal" ->
          size > 0
              ? new ColumnWidth(Family.DECIMAL, size, Math.max(scale, 0))
              : new ColumnWidth(Family.DECIMAL, UNBOUNDED, UNBOUNDED);
      default -> OTHER;
    };
  }

  /** How {@code wanted} compares with this, the width a column has. */
  Comparison compare(ColumnWidth wanted) {
    if (family == Family.OTHER || wanted.family != family) {
      return Comparison.UNRELATED;
    }
    if (equals(wanted)) {
      return Comparison.SAME;
    }
    if (family != Family.DECIMAL) {
      return wanted.size > size ? Comparison.WIDER : Comparison.NARROWER;
    }
    if (wanted.size == UNBOUNDED) {
      return Comparison.WIDER;
    }
    if (size == UNBOUNDED) {
      return Comparison.NARROWER;
    }
    boolean holdsEvery = wanted.scale >= scale && wanted.size - wanted.scale >= size - scale;
    return holdsEvery ? Comparison.WIDER : Comparison.NARROWER;
  }
}
