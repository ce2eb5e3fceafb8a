package dev.sluice.apply.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.PgText;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;

/**
 * One text form per value, the same for a source value and for what a target stores for it, so that
 * rows compare across dialects. It follows the documented conversions: decimals compare by value,
 * JSON by meaning (keys sorted, numbers by value), MongoDB timestamps at millisecond precision,
 * MySQL {@code CHAR} without trailing spaces.
 *
 * <p>Source values arrive in the journal's representations ({@link ValueKind}); target values as
 * their drivers return them. Stateless.
 */
public final class Canonical {
  /** The form of SQL NULL. */
  public static final String NULL = "\u2205";

  private static final JsonFactory JSON = new JsonFactory();
  private static final HexFormat HEX = HexFormat.of();
  private static final DateTimeFormatter TIME =
      new DateTimeFormatterBuilder()
          .appendPattern("HH:mm:ss")
          .appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
          .toFormatter();

  private Canonical() {}

  /** The form of a source value (journal representation) as stored in {@code dialect}. */
  public static String ofSource(Object value, Column column, Dialect dialect) {
    if (value == null) {
      return NULL;
    }
    if (column.kind() == ValueKind.ARRAY) {
      if (dialect == Dialect.POSTGRESQL) {
        return PgText.format(value, column); // PostgreSQL keeps every dimension and bound
      }
      List<?> elements;
      try {
        elements = SqlValues.elements(value, column);
      } catch (java.sql.SQLDataException e) {
        return PgText.format(value, column); // no other target holds it
      }
      return elementsOfSource(elements, column, dialect);
    }
    return scalarOfSource(value, column.kind(), column, dialect);
  }

  private static String elementsOfSource(List<?> elements, Column column, Dialect dialect) {
    List<String> items = new ArrayList<>();
    for (Object item : elements) {
      items.add(
          item == null
              ? NULL
              : item instanceof List<?> inner
                  ? elementsOfSource(inner, column, dialect)
                  : scalarOfSource(item, column.elementKind(), column, dialect));
    }
    return "[" + String.join(",", items) + "]";
  }

  private static String scalarOfSource(
      Object value, ValueKind kind, Column column, Dialect dialect) {
    if (kind == ValueKind.JSON
        && dialect == Dialect.MONGODB
        && value.toString().trim().equals("null")) {
      return NULL; // MongoDB holds a JSON null as it holds SQL NULL
    }
    return switch (kind) {
      case BOOLEAN -> (Boolean) value ? "t" : "f";
      case INT16, INT32, INT64 -> value.toString();
      case FLOAT32 -> {
        boolean signedZero = dialect == Dialect.POSTGRESQL || dialect == Dialect.MONGODB;
        float f = signedZero ? (Float) value : (Float) value + 0.0f;
        yield dialect == Dialect.MONGODB || dialect == Dialect.SQLITE
            ? Double.toString(f)
            : Float.toString(f);
      }
      case FLOAT64 ->
          // MySQL and SQLite store -0 as 0 (documented); adding 0.0 turns -0.0 into 0.0
          Double.toString(
              dialect == Dialect.POSTGRESQL || dialect == Dialect.MONGODB
                  ? (Double) value
                  : (Double) value + 0.0);
      case DECIMAL -> decimal(value.toString());
      case JSON -> json(value.toString());
      case UUID -> value.toString().toLowerCase(java.util.Locale.ROOT);
      case TEXT -> trimIfCharInMySql(value.toString(), column, dialect);
      case TIMETZ -> timetz(value.toString());
      case INTERVAL -> interval(value.toString());
      case BYTES -> HEX.formatHex((byte[]) value);
      case DATE -> ValueText.date((Integer) value);
      case TIME -> timeOfDay((Long) value);
      case TIMESTAMP, TIMESTAMPTZ -> {
        long micros =
            value instanceof String text
                ? PgText.parseTimestamp(text)
                : PgText.pgMicros((Long) value);
        if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
          yield micros > 0 ? "infinity" : "-infinity";
        }
        yield Long.toString(
            dialect == Dialect.MONGODB ? Math.floorDiv(micros, 1000L) * 1000 : micros);
      }
      default -> value.toString();
    };
  }

  /** {@code 10:15:30.000000}, and {@code 24:00:00.000000}, which LocalTime cannot hold. */
  private static String timeOfDay(long micros) {
    return micros == ValueText.END_OF_DAY_MICROS
        ? "24:00:00.000000"
        : LocalTime.ofNanoOfDay(micros * 1000).format(TIME);
  }

  /** The form of a value a target returned for a source column. */
  public static String ofTarget(Object value, Column column, Dialect dialect) {
    if (value == null) {
      return NULL;
    }
    if (column.kind() == ValueKind.ARRAY) {
      if (dialect == Dialect.POSTGRESQL) {
        return PgText.format(value, column);
      }
      String text = value.toString();
      if (!(value instanceof List<?>) && !text.startsWith("[")) {
        return text; // not an array this target stored
      }
      List<?> items = value instanceof List<?> list ? list : parseJsonArray(text);
      return elementsOfTarget(items, column, dialect);
    }
    return scalarOfTarget(value, column.kind(), column, dialect);
  }

  private static String elementsOfTarget(List<?> items, Column column, Dialect dialect) {
    List<String> forms = new ArrayList<>();
    for (Object item : items) {
      forms.add(
          item == null
              ? NULL
              : item instanceof List<?> inner
                  ? elementsOfTarget(inner, column, dialect)
                  : scalarOfTarget(item, column.elementKind(), column, dialect));
    }
    return "[" + String.join(",", forms) + "]";
  }

  private static String scalarOfTarget(
      Object value, ValueKind kind, Column column, Dialect dialect) {
    return switch (kind) {
      case BOOLEAN ->
          value instanceof Boolean b
              ? (b ? "t" : "f")
              : ((Number) value).intValue() != 0 ? "t" : "f";
      case INT16, INT32, INT64 -> Long.toString(((Number) value).longValue());
      case FLOAT32 ->
          dialect == Dialect.MONGODB || dialect == Dialect.SQLITE
              ? Double.toString(number(value).doubleValue())
              : Float.toString(number(value).floatValue());
      case FLOAT64 -> Double.toString(number(value).doubleValue());
      case DECIMAL ->
          value instanceof Decimal128 d
              ? (d.isNaN()
                  ? "NaN"
                  : d.isInfinite()
                      ? (d.isNegative() ? "-Infinity" : "Infinity")
                      : decimal(d.bigDecimalValue().toPlainString()))
              : decimal(value.toString());
      case JSON ->
          dialect == Dialect.MONGODB
              ? json(toJson(value)) // an embedded document, array or value
              : json(value.toString());
      case UUID -> value.toString().toLowerCase(java.util.Locale.ROOT);
      case TEXT -> trimIfCharInMySql(value.toString(), column, dialect);
      case TIMETZ -> timetz(value.toString());
      case INTERVAL -> interval(value.toString());
      case BYTES ->
          HEX.formatHex(
              value instanceof Binary b
                  ? b.getData()
                  : value instanceof byte[] bytes
                      ? bytes
                      : value.toString().startsWith("\\x")
                          ? HEX.parseHex(value.toString(), 2, value.toString().length())
                          : value.toString().getBytes(StandardCharsets.UTF_8));
      case DATE ->
          value.toString().endsWith("infinity") ? value.toString() : date(value).toString();
      case TIME ->
          value.toString().startsWith("24:00") ? "24:00:00.000000" : time(value).format(TIME);
      case TIMESTAMP, TIMESTAMPTZ ->
          value.toString().endsWith("infinity")
              ? value.toString()
              : Long.toString(micros(value, kind));
      default -> value.toString();
    };
  }

  /** A number, or one a JSON array holds as text ({@code "NaN"}, {@code "-Infinity"}). */
  private static Number number(Object value) {
    return value instanceof Number n ? n : Double.valueOf(value.toString());
  }

  private static String trimIfCharInMySql(String text, Column column, Dialect dialect) {
    boolean fixed = column.pgType().startsWith("character(") || column.pgType().equals("character");
    return dialect == Dialect.MYSQL && fixed ? text.replaceAll(" +$", "") : text;
  }

  private static final java.util.regex.Pattern DURATION =
      java.util.regex.Pattern.compile(
          "P(?:(-?\\d+)Y)?(?:(-?\\d+)M)?(?:(-?\\d+)W)?(?:(-?\\d+)D)?(?:T(?:(-?\\d+)H)?(?:(-?\\d+)M)?(?:(-?[\\d.]+)S)?)?");

  /**
   * An ISO-8601 interval as months, days and seconds ({@code P14M3DT14706.789S}): PostgreSQL writes
   * {@code PT0S} what the engine writes {@code P0Y0M0DT0H0M0S}.
   */
  static String interval(String text) {
    java.util.regex.Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return text;
    }
    long months = number(m.group(1)) * 12 + number(m.group(2));
    long days = number(m.group(3)) * 7 + number(m.group(4));
    BigDecimal seconds =
        BigDecimal.valueOf(number(m.group(5)) * 3600 + number(m.group(6)) * 60)
            .add(m.group(7) == null ? BigDecimal.ZERO : new BigDecimal(m.group(7)));
    return "P" + months + "M" + days + "DT" + decimal(seconds.toPlainString()) + "S";
  }

  private static long number(String group) {
    return group == null ? 0 : Long.parseLong(group);
  }

  static String decimal(String text) {
    return switch (text) {
      case "NaN", "Infinity", "-Infinity" -> text;
      default -> {
        BigDecimal value = new BigDecimal(text);
        yield value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
      }
    };
  }

  private static String timetz(String text) {
    String iso = text.replaceFirst("([+-]\\d\\d)$", "$1:00").replace("Z", "+00:00");
    OffsetTime time = OffsetTime.parse(iso);
    return time.withOffsetSameInstant(ZoneOffset.UTC).toLocalTime().format(TIME);
  }

  private static LocalDate date(Object value) {
    if (value instanceof LocalDate d) {
      return d;
    }
    if (value instanceof java.sql.Date d) {
      return d.toLocalDate();
    }
    if (value instanceof Date d) {
      return LocalDate.ofInstant(d.toInstant(), ZoneOffset.UTC);
    }
    String text = value.toString();
    int end = text.indexOf('-', text.startsWith("-") || text.startsWith("+") ? 1 : 0) + 6;
    return LocalDate.parse(text.substring(0, Math.min(end, text.length())));
  }

  private static LocalTime time(Object value) {
    if (value instanceof LocalTime t) {
      return t;
    }
    if (value instanceof java.sql.Time t) {
      return t.toLocalTime();
    }
    return LocalTime.parse(value.toString());
  }

  private static long micros(Object value, ValueKind kind) {
    Instant instant;
    if (value instanceof Date d && !(value instanceof java.sql.Timestamp)) {
      instant = d.toInstant();
    } else if (value instanceof java.sql.Timestamp t) {
      instant = t.toLocalDateTime().toInstant(ZoneOffset.UTC);
    } else if (value instanceof LocalDateTime t) {
      instant = t.toInstant(ZoneOffset.UTC);
    } else if (value instanceof OffsetDateTime t) {
      instant = t.toInstant();
    } else if (value instanceof Long unix) {
      return PgText.pgMicros(unix);
    } else {
      String text = value.toString();
      instant =
          text.endsWith("Z") || text.matches(".*[+-]\\d\\d(:\\d\\d)?$")
              ? OffsetDateTime.parse(text.replace(' ', 'T').replaceFirst("([+-]\\d\\d)$", "$1:00"))
                  .toInstant()
              : LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    }
    return (instant.getEpochSecond() - PgText.PG_EPOCH_MICROS / 1_000_000) * 1_000_000L
        + instant.getNano() / 1_000;
  }

  /** JSON with object keys sorted and numbers by value, compactly written. */
  static String json(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      StringWriter out = new StringWriter();
      try (JsonGenerator generator = JSON.createGenerator(out)) {
        JsonToken first = parser.nextToken();
        if (first == null) {
          return text;
        }
        copySorted(parser, generator);
      }
      return out.toString();
    } catch (IOException e) {
      return text;
    }
  }

  private static void copySorted(JsonParser parser, JsonGenerator out) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        TreeMap<String, String> fields = new TreeMap<>();
        while (parser.nextToken() != JsonToken.END_OBJECT) {
          String name = parser.currentName();
          parser.nextToken();
          StringWriter value = new StringWriter();
          try (JsonGenerator nested = JSON.createGenerator(value)) {
            copySorted(parser, nested);
          }
          fields.put(name, value.toString());
        }
        out.writeStartObject();
        for (Map.Entry<String, String> field : fields.entrySet()) {
          out.writeFieldName(field.getKey());
          out.writeRawValue(field.getValue());
        }
        out.writeEndObject();
      }
      case START_ARRAY -> {
        out.writeStartArray();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          copySorted(parser, out);
        }
        out.writeEndArray();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
          out.writeRawValue(decimal(parser.getDecimalValue().toPlainString()));
      case VALUE_STRING -> out.writeString(parser.getText());
      case VALUE_TRUE -> out.writeBoolean(true);
      case VALUE_FALSE -> out.writeBoolean(false);
      default -> out.writeNull();
    }
  }

  /** A value MongoDB holds for a JSON column (document, array, number, string ...) as JSON. */
  private static String toJson(Object value) {
    StringBuilder json = new StringBuilder();
    appendJson(json, value);
    return json.toString();
  }

  private static void appendJson(StringBuilder json, Object value) {
    if (value == null) {
      json.append("null");
    } else if (value instanceof Map<?, ?> map) {
      json.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        json.append(first ? "" : ",").append(SqlValues.quoteJson(entry.getKey().toString()));
        json.append(':');
        appendJson(json, entry.getValue());
        first = false;
      }
      json.append('}');
    } else if (value instanceof List<?> list) {
      json.append('[');
      for (int i = 0; i < list.size(); i++) {
        json.append(i > 0 ? "," : "");
        appendJson(json, list.get(i));
      }
      json.append(']');
    } else if (value instanceof Decimal128 decimal) {
      json.append(decimal.bigDecimalValue().toString());
    } else if (value instanceof Number || value instanceof Boolean) {
      json.append(value);
    } else {
      json.append(SqlValues.quoteJson(value.toString()));
    }
  }

  private static List<Object> parseJsonArray(String text) {
    Object parsed = Document.parse("{\"v\": " + text + "}").get("v");
    return parsed instanceof List<?> list ? new ArrayList<>(list) : List.of(parsed);
  }

  /** Orders key forms as the databases order keys: numbers by value, the rest by code point. */
  public static int compareKeys(List<String> a, List<String> b, List<Column> keyColumns) {
    for (int i = 0; i < a.size(); i++) {
      int c = compareKey(a.get(i), b.get(i), keyColumns.get(i).kind());
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int compareKey(String a, String b, ValueKind kind) {
    switch (kind) {
      case INT16, INT32, INT64, DECIMAL, TIMESTAMP, TIMESTAMPTZ, FLOAT32, FLOAT64 -> {
        try {
          return new BigDecimal(a).compareTo(new BigDecimal(b));
        } catch (NumberFormatException e) {
          return a.compareTo(b);
        }
      }
      default -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      }
    }
  }
}
