package dev.sluice.apply.internal;

import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;

/** Conversions of journal values shared by the SQL dialects. Stateless. */
final class SqlValues {
  private SqlValues() {}

  static LocalDate date(Object value) throws java.sql.SQLDataException {
    int days = (Integer) value;
    if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
      throw new java.sql.SQLDataException("a date infinity cannot be stored here", "22008");
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

  /** {@code 2026-11-20 10:15:30.123456}: ISO with a space, which every SQL database reads. */
  static String timestampText(long micros) {
    if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
      return micros > 0 ? "infinity" : "-infinity";
    }
    return timestamp(micros).toString().replace('T', ' ');
  }

  /** A JSON array of the elements, for targets that store arrays as JSON. */
  static String jsonArray(List<?> list, ValueKind elementKind) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      Object element = list.get(i);
      if (element == null) {
        json.append("null");
      } else if (element instanceof Number n
          && !(element instanceof Double d && !Double.isFinite(d))
          && !(element instanceof Float f && !Float.isFinite(f))) {
        json.append(n);
      } else if (element instanceof Boolean b) {
        json.append(b);
      } else {
        json.append(quoteJson(ValueText.format(element, elementKind)));
      }
    }
    return json.append(']').toString();
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
