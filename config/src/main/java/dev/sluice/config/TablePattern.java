package dev.sluice.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A pattern for tables: {@code public.orders}, {@code inventory.*}, {@code *.audit_log}. {@code *}
 * matches any run of characters and {@code ?} one character; an unqualified pattern means the
 * {@code public} schema.
 */
public final class TablePattern {
  private final String text;
  private final Pattern schema;
  private final Pattern table;

  private TablePattern(String text, String schema, String table) {
    this.text = text;
    this.schema = glob(schema);
    this.table = glob(table);
  }

  /**
   * Parses a pattern.
   *
   * @throws IllegalArgumentException when it is not a table name pattern
   */
  public static TablePattern parse(String text) {
    List<String> parts = TableName.splitQualified(text);
    if (parts.size() == 1) {
      return new TablePattern(text, "public", parts.get(0));
    }
    if (parts.size() == 2) {
      return new TablePattern(text, parts.get(0), parts.get(1));
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a table pattern (schema.table, wildcards * and ?)");
  }

  public boolean matches(TableName name) {
    return schema.matcher(name.schema()).matches() && table.matcher(name.name()).matches();
  }

  /** Whether the pattern names exactly one table (no wildcard). */
  public boolean isExact() {
    return !text.contains("*") && !text.contains("?");
  }

  /** Matches when any of the patterns matches, or when the list is empty. */
  public static boolean anyMatches(List<TablePattern> patterns, TableName name) {
    return patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matches(name));
  }

  private static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    // by code point: a character beyond the BMP quoted as two halves would match nothing
    glob.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(Character.toString(c)));
              }
            });
    return Pattern.compile(regex.toString());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TablePattern pattern && pattern.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The pattern as written. */
  @Override
  public String toString() {
    return text;
  }
}
