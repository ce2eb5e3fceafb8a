package dev.sluice.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * An array in PostgreSQL's text form ({@code {1,NULL,"a b"}}, {@code {{1,2},{3,4}}}, {@code
 * [0:2]={1,2,3}}), read into its elements' texts: each dimension a list, each element its text or
 * null. Immutable.
 *
 * @param elements the outermost dimension: nested lists for further dimensions, then each element's
 *     text (unquoted, unescaped) or null (SQL NULL); empty for an empty array
 * @param lowerBounds each dimension's lower bound when one is not 1 ({@code [0:2]=...}); null when
 *     every lower bound is 1
 */
public record PgArrayText(List<Object> elements, int[] lowerBounds) {

  /**
   * Reads an array's text.
   *
   * @param delimiter the element type's delimiter: {@code ,} for every type but {@code box} ({@code
   *     ;})
   * @throws IllegalArgumentException when the text is not an array
   */
  public static PgArrayText parse(String text, char delimiter) {
    Reader reader = new Reader(text, delimiter);
    int[] bounds = reader.bounds();
    List<Object> elements = reader.array();
    if (reader.at != text.length()) {
      throw reader.invalid();
    }
    return new PgArrayText(elements, bounds);
  }

  /**
   * The delimiter of arrays of a type (its base name): {@code ;} for {@code box}, else {@code ,}.
   */
  public static char delimiterOf(String elementType) {
    return elementType.equals("box") ? ';' : ',';
  }

  /** The number of dimensions (0 for an empty array). */
  public int dimensions() {
    int dimensions = 0;
    List<?> level = elements;
    while (!level.isEmpty()) {
      dimensions++;
      if (!(level.get(0) instanceof List<?> inner)) {
        break;
      }
      level = inner;
    }
    return dimensions;
  }

  /**
   * An array's text: every element quoted (quotes and backslashes escaped), NULL unquoted.
   *
   * @param elements nested lists of element texts or nulls
   * @param lowerBounds each dimension's lower bound, or null for 1
   */
  public static String format(List<?> elements, int[] lowerBounds, char delimiter) {
    StringBuilder out = new StringBuilder();
    if (lowerBounds != null) {
      List<?> level = elements;
      for (int bound : lowerBounds) {
        out.append('[').append(bound).append(':').append(bound + level.size() - 1).append(']');
        level = level.isEmpty() || !(level.get(0) instanceof List<?> inner) ? List.of() : inner;
      }
      out.append('=');
    }
    appendLevel(out, elements, delimiter);
    return out.toString();
  }

  private static void appendLevel(StringBuilder out, List<?> level, char delimiter) {
    out.append('{');
    for (int i = 0; i < level.size(); i++) {
      if (i > 0) {
        out.append(delimiter);
      }
      Object element = level.get(i);
      if (element == null) {
        out.append("NULL");
      } else if (element instanceof List<?> inner) {
        appendLevel(out, inner, delimiter);
      } else {
        out.append('"');
        String text = element.toString();
        for (int j = 0; j < text.length(); j++) {
          char c = text.charAt(j);
          if (c == '"' || c == '\\') {
            out.append('\\');
          }
          out.append(c);
        }
        out.append('"');
      }
    }
    out.append('}');
  }

  private static final class Reader {
    private final String text;
    private final char delimiter;
    private int at;

    Reader(String text, char delimiter) {
      this.text = text;
      this.delimiter = delimiter;
    }

    int[] bounds() {
      if (at >= text.length() || text.charAt(at) != '[') {
        return null;
      }
      List<Integer> lower = new ArrayList<>();
      while (at < text.length() && text.charAt(at) == '[') {
        int close = text.indexOf(']', at);
        int colon = text.indexOf(':', at);
        if (close < 0 || colon < 0 || colon > close) {
          throw invalid();
        }
        lower.add(Integer.parseInt(text.substring(at + 1, colon)));
        at = close + 1;
      }
      if (at >= text.length() || text.charAt(at) != '=') {
        throw invalid();
      }
      at++;
      return lower.stream().mapToInt(Integer::intValue).toArray();
    }

    List<Object> array() {
      expect('{');
      List<Object> elements = new ArrayList<>();
      if (peek() == '}') {
        at++;
        return elements;
      }
      while (true) {
        char c = peek();
        if (c == '{') {
          elements.add(array());
        } else if (c == '"') {
          elements.add(quoted());
        } else {
          elements.add(unquoted());
        }
        char next = peek();
        at++;
        if (next == '}') {
          return elements;
        }
        if (next != delimiter) {
          throw invalid();
        }
      }
    }

    private String quoted() {
      at++;
      StringBuilder out = new StringBuilder();
      while (true) {
        if (at >= text.length()) {
          throw invalid();
        }
        char c = text.charAt(at++);
        if (c == '"') {
          return out.toString();
        }
        if (c == '\\') {
          if (at >= text.length()) {
            throw invalid();
          }
          c = text.charAt(at++);
        }
        out.append(c);
      }
    }

    private String unquoted() {
      int start = at;
      while (at < text.length()) {
        char c = text.charAt(at);
        if (c == delimiter || c == '}') {
          break;
        }
        at++;
      }
      String element = text.substring(start, at);
      return element.equalsIgnoreCase("NULL") ? null : element;
    }

    private char peek() {
      if (at >= text.length()) {
        throw invalid();
      }
      return text.charAt(at);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw invalid();
      }
      at++;
    }

    IllegalArgumentException invalid() {
      return new IllegalArgumentException("not a PostgreSQL array: '" + text + "'");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PgArrayText a
        && a.elements.equals(elements)
        && java.util.Arrays.equals(a.lowerBounds, lowerBounds);
  }

  @Override
  public int hashCode() {
    return elements.hashCode() * 31 + java.util.Arrays.hashCode(lowerBounds);
  }

  @Override
  public String toString() {
    return format(elements, lowerBounds, ',');
  }
}
