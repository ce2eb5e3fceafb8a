package dev.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A source table: schema and name, both exact (case-sensitive, as PostgreSQL stores them).
 *
 * <p>Written {@code public.orders}; an unqualified {@code orders} means {@code public.orders}; a
 * part that is not a plain lower-case identifier is double-quoted: {@code public."Order Items"}.
 */
public record TableName(String schema, String name) implements Comparable<TableName> {
  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

  public TableName {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
    if (schema.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException("a table needs a schema and a name");
    }
  }

  /**
   * Parses {@code schema.table}, {@code table} or quoted parts.
   *
   * @throws IllegalArgumentException when the text is not a table name
   */
  public static TableName parse(String text) {
    List<String> parts = splitQualified(text);
    if (parts.size() == 1) {
      return new TableName("public", parts.get(0));
    }
    if (parts.size() == 2) {
      return new TableName(parts.get(0), parts.get(1));
    }
    throw new IllegalArgumentException("'" + text + "' is not a table name (schema.table)");
  }

  /**
   * Splits {@code a."b.c"} into {@code [a, b.c]}; a doubled quote inside quotes is one quote.
   *
   * @throws IllegalArgumentException on an unclosed quote or an empty part
   */
  static List<String> splitQualified(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            part.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          part.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        wasQuoted = true;
      } else if (c == '.') {
        addPart(parts, part, wasQuoted, text);
        part.setLength(0);
        wasQuoted = false;
      } else {
        part.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("'" + text + "' has an unclosed quote");
    }
    addPart(parts, part, wasQuoted, text);
    return parts;
  }

  private static void addPart(List<String> parts, StringBuilder part, boolean quoted, String text) {
    String value = quoted ? part.toString() : part.toString().trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' has an empty name part");
    }
    parts.add(value);
  }

  /** Quotes an identifier part when it is not a plain lower-case identifier. */
  public static String quoteIfNeeded(String part) {
    return PLAIN.matcher(part).matches() ? part : '"' + part.replace("\"", "\"\"") + '"';
  }

  @Override
  public int compareTo(TableName other) {
    int bySchema = schema.compareTo(other.schema);
    return bySchema != 0 ? bySchema : name.compareTo(other.name);
  }

  /** {@code schema.name}, quoting parts that need it. */
  @Override
  public String toString() {
    return quoteIfNeeded(schema) + "." + quoteIfNeeded(name);
  }
}
