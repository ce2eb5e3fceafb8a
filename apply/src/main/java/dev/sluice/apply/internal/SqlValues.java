package dev.sluice.apply.internal;

import dev.sluice.journal.Column;
import dev.sluice.journal.PgArrayText;
import dev.sluice.journal.PgText;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.sql.SQLDataException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Conversions of journal values shared by the targets other than PostgreSQL. Stateless. */
final class SqlValues {
  private SqlValues() {}

  static LocalDate date(Object value) throws SQLDataException {
    int days = (Integer) value;
    if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
      throw new SQLDataException("a date infinity cannot be stored here", "22008");
    }
    return LocalDate.ofEpochDay(days);
  }

  static LocalTime time(Object value) {
    return LocalTime.ofNanoOfDay((Long) value * 1_000);
  }

  static LocalDateTime timestamp(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1_000,
        ZoneOffset.UTC);
  }

  /**
   * A journal timestamp (microseconds since 1970, or PostgreSQL's text of one after the year
   * 294246) as a date and time (UTC for a timestamptz); null for the infinities.
   */
  static LocalDateTime dateTime(Object value) {
    long pgMicros =
        value instanceof String text ? PgText.parseTimestamp(text) : PgText.pgMicros((Long) value);
    if (pgMicros == Long.MAX_VALUE || pgMicros == Long.MIN_VALUE) {
      return null;
    }
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(pgMicros, 1_000_000L) + PgText.PG_EPOCH_MICROS / 1_000_000,
        (int) Math.floorMod(pgMicros, 1_000_000L) * 1_000,
        ZoneOffset.UTC);
  }

  /** Milliseconds since 1970 of a journal timestamp; throws for the infinities. */
  static long epochMillis(Object value) {
    LocalDateTime time = dateTime(value);
    if (time == null) {
      throw new IllegalArgumentException("infinity cannot be stored as a date and time here");
    }
    return time.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  /**
   * {@code 2026-11-20 10:15:30.123456}: ISO with a space, which every SQL database reads ({@code
   * infinity}, {@code -infinity} as they are).
   */
  static String timestampText(Object value) {
    LocalDateTime time = dateTime(value);
    if (time == null) {
      return value instanceof String text
          ? text
          : (Long) value == Long.MAX_VALUE ? "infinity" : "-infinity";
    }
    return time.toString().replace('T', ' ');
  }

  /** {@code 2026-11-20T10:15:30.123456Z}: a timestamptz in UTC as ISO-8601. */
  static String timestampTzText(Object value) {
    LocalDateTime time = dateTime(value);
    if (time == null) {
      return value instanceof String text
          ? text
          : (Long) value == Long.MAX_VALUE ? "infinity" : "-infinity";
    }
    return time.toInstant(ZoneOffset.UTC).toString();
  }

  /**
   * An array's elements as nested lists of journal values of the element kind: arrays journaled as
   * PostgreSQL's text are read, those journaled as lists (by earlier versions) are as they are.
   *
   * @throws SQLDataException for an array whose lower bounds are not 1, which only PostgreSQL keeps
   */
  static List<?> elements(Object value, Column column) throws SQLDataException {
    if (value instanceof List<?> list) {
      return list;
    }
    PgArrayText array =
        PgArrayText.parse((String) value, PgArrayText.delimiterOf(elementType(column)));
    if (array.lowerBounds() != null) {
      throw new SQLDataException(
          "the array "
              + value
              + " has lower bounds other than 1, which only PostgreSQL keeps (column "
              + column.name()
              + ")",
          "22000");
    }
    return values(array.elements(), column.elementKind());
  }

  private static List<Object> values(List<?> level, ValueKind kind) {
    List<Object> values = new ArrayList<>(level.size());
    for (Object element : level) {
      if (element instanceof List<?> inner) {
        values.add(values(inner, kind));
      } else {
        values.add(element == null ? null : PgText.value((String) element, kind));
      }
    }
    return values;
  }

  /** The base name of an array column's element type ({@code box} for {@code box[]}). */
  static String elementType(Column column) {
    String type = column.pgType();
    int bracket = type.indexOf('[');
    return bracket < 0 ? type : type.substring(0, bracket);
  }

  /**
   * A JSON array of an array's elements (nested for several dimensions), for targets that store
   * arrays as JSON: numbers and booleans as JSON's, every other element as its text in the forms
   * {@code sluice tail} uses (dates, times and timestamps in ISO-8601, NaN and infinities as
   * strings).
   */
  static String jsonArray(Object value, Column column) throws SQLDataException {
    StringBuilder json = new StringBuilder();
    appendJson(json, elements(value, column), column.elementKind());
    return json.toString();
  }

  private static void appendJson(StringBuilder json, List<?> list, ValueKind elementKind) {
    json.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      Object element = list.get(i);
      if (element == null) {
        json.append("null");
      } else if (element instanceof List<?> inner) {
        appendJson(json, inner, elementKind);
      } else if (isNumber(elementKind)
          && !(element instanceof Double d && !Double.isFinite(d))
          && !(element instanceof Float f && !Float.isFinite(f))) {
        json.append(element);
      } else if (element instanceof Boolean b) {
        json.append(b);
      } else {
        json.append(quoteJson(isoText(element, elementKind)));
      }
    }
    json.append(']');
  }

  private static boolean isNumber(ValueKind kind) {
    return switch (kind) {
      case INT16, INT32, INT64, FLOAT32, FLOAT64 -> true;
      default -> false;
    };
  }

  /** An element as text in ISO-8601 forms (timestamptz in UTC), the rest as {@link ValueText}. */
  static String isoText(Object value, ValueKind kind) {
    return switch (kind) {
      case TIMESTAMP -> timestampText(value).replace(' ', 'T');
      case TIMESTAMPTZ -> timestampTzText(value);
      default -> ValueText.format(value, kind);
    };
  }

  static String quoteJson(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** The base name of a PostgreSQL type: {@code numeric(40,10)} gives {@code numeric}. */
  static String baseType(String pgType) {
    return pgType.replaceAll("\\(.*?\\)", "").replace("[]", "").trim();
  }

  /** The precision and scale of {@code numeric(p,s)}, or null when unconstrained. */
  static int[] numericPrecision(String pgType) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("numeric\\((\\d+)(?:,(\\d+))?\\)").matcher(pgType);
    if (!m.find()) {
      return null;
    }
    return new int[] {
      Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2))
    };
  }

  /** The length of {@code character varying(n)} or {@code character(n)}, or -1. */
  static int length(String pgType) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^character(?: varying)?\\((\\d+)\\)").matcher(pgType);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }
}
