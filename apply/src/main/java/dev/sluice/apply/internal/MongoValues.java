package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;

/**
 * How source values are stored in MongoDB documents. Stateless.
 *
 * <p>Integers as Int32/Int64, floats as Double, {@code numeric} as Decimal128 when its declared
 * precision fits 34 digits (else as exact text), json/jsonb as embedded documents, bytes as binary,
 * dates and timestamps as BSON dates (milliseconds), times and intervals as ISO text, arrays as
 * arrays.
 */
final class MongoValues {
  private MongoValues() {}

  static TypeMapping map(Column column) {
    return switch (column.kind()) {
      case BOOLEAN -> TypeMapping.exact("bool");
      case INT16, INT32 -> TypeMapping.exact("int");
      case INT64 -> TypeMapping.exact("long");
      case FLOAT32 -> TypeMapping.converted("double", "as a 64-bit float");
      case FLOAT64 -> TypeMapping.exact("double");
      case DECIMAL -> {
        int[] precision = SqlValues.numericPrecision(column.pgType());
        yield precision != null && precision[0] <= 34 || column.pgType().startsWith("money")
            ? TypeMapping.exact("decimal")
            : TypeMapping.converted(
                "string",
                "as exact decimal text (more than the 34 digits of Decimal128 are possible)");
      }
      case TEXT, UUID, ENUM -> TypeMapping.exact("string");
      case JSON ->
          TypeMapping.limited(
              "object",
              "as an embedded document or value: numbers by value (int or long when whole, double"
                  + " when it holds them exactly, else Decimal128; a number none of them holds"
                  + " cannot be stored), a JSON null as null (as SQL NULL), of duplicate keys the"
                  + " last, the text's spacing not kept");
      case BYTES -> TypeMapping.exact("binData");
      case DATE ->
          TypeMapping.limited("date", "as a date at midnight UTC; infinity cannot be stored");
      case TIME, TIMETZ, INTERVAL -> TypeMapping.converted("string", "as ISO-8601 text");
      case TIMESTAMP, TIMESTAMPTZ ->
          TypeMapping.limited(
              "date", "microseconds are cut to milliseconds; infinity cannot be stored");
      case ARRAY ->
          TypeMapping.limited(
              "array",
              "as an array (nested for several dimensions) of the elements as their own type"
                  + " stores them; arrays whose lower bound is not 1 cannot be stored");
      case OTHER -> TypeMapping.converted("string", "as its PostgreSQL text");
    };
  }

  static Object value(Object value, Column column) {
    if (value == null) {
      return null;
    }
    if (column.kind() == ValueKind.ARRAY) {
      try {
        return array(SqlValues.elements(value, column), column);
      } catch (java.sql.SQLDataException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    return scalar(value, column.kind(), column.pgType());
  }

  private static List<Object> array(List<?> list, Column column) {
    List<Object> converted = new ArrayList<>(list.size());
    for (Object element : list) {
      converted.add(
          element == null
              ? null
              : element instanceof List<?> inner
                  ? array(inner, column)
                  : scalar(element, column.elementKind(), SqlValues.elementType(column)));
    }
    return converted;
  }

  private static Object scalar(Object value, ValueKind kind, String pgType) {
    return switch (kind) {
      case INT16 -> ((Short) value).intValue();
      case FLOAT32 -> ((Float) value).doubleValue();
      case DECIMAL -> decimal((String) value, pgType);
      case JSON -> json((String) value);
      case BYTES -> new Binary((byte[]) value);
      case DATE -> {
        int days = (Integer) value;
        if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
          throw new IllegalArgumentException("a date infinity cannot be stored as a MongoDB date");
        }
        yield new Date(days * 86_400_000L);
      }
      case TIME -> ValueText.time((Long) value);
      case TIMESTAMP, TIMESTAMPTZ -> date(value);
      default -> value;
    };
  }

  private static Object decimal(String text, String pgType) {
    int[] precision = SqlValues.numericPrecision(pgType);
    boolean fits = pgType.startsWith("money") || (precision != null && precision[0] <= 34);
    if (!fits) {
      return text;
    }
    return switch (text) {
      case "NaN" -> Decimal128.NaN;
      case "Infinity" -> Decimal128.POSITIVE_INFINITY;
      case "-Infinity" -> Decimal128.NEGATIVE_INFINITY;
      default -> new Decimal128(new BigDecimal(text));
    };
  }

  private static Object date(Object value) {
    if (value instanceof Long micros) {
      if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
        throw new IllegalArgumentException("infinity cannot be stored as a MongoDB date");
      }
      return new Date(Math.floorDiv(micros, 1000L));
    }
    return new Date(SqlValues.epochMillis(value));
  }

  private static final com.fasterxml.jackson.core.JsonFactory JSON_FACTORY =
      new com.fasterxml.jackson.core.JsonFactory();

  /**
   * JSON text as the value MongoDB holds: objects as documents (of duplicate keys the last, as
   * jsonb keeps), arrays as arrays, numbers by their value: int or long when whole and in range,
   * double when a double holds the value exactly (and for -0, whose sign only a double holds), else
   * Decimal128 (34 digits); a JSON null as null.
   *
   * @throws IllegalArgumentException for a number none of them holds exactly
   */
  static Object json(String text) {
    try (com.fasterxml.jackson.core.JsonParser parser = JSON_FACTORY.createParser(text)) {
      parser.nextToken();
      return jsonValue(parser);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }

  private static Object jsonValue(com.fasterxml.jackson.core.JsonParser parser)
      throws java.io.IOException {
    switch (parser.currentToken()) {
      case START_OBJECT -> {
        Document document = new Document();
        while (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.END_OBJECT) {
          String name = parser.currentName();
          parser.nextToken();
          document.put(name, jsonValue(parser));
        }
        return document;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
          list.add(jsonValue(parser));
        }
        return list;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return number(parser.getDecimalValue(), parser.getText());
      }
      case VALUE_STRING -> {
        return parser.getText();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      default -> {
        return null;
      }
    }
  }

  private static Object number(BigDecimal value, String text) {
    if (value.signum() == 0 && text.startsWith("-")) {
      return -0.0; // a json value keeps its text: only a double holds the sign of -0 or -0.0
    }
    BigDecimal whole = value.stripTrailingZeros();
    if (whole.scale() <= 0 && whole.precision() - whole.scale() <= 19) {
      long asLong = whole.longValue();
      if (BigDecimal.valueOf(asLong).compareTo(value) == 0) {
        return asLong >= Integer.MIN_VALUE && asLong <= Integer.MAX_VALUE
            ? (Object) (int) asLong
            : asLong;
      }
    }
    double asDouble = value.doubleValue();
    if (Double.isFinite(asDouble) && new BigDecimal(asDouble).compareTo(value) == 0) {
      return asDouble;
    }
    try {
      return new Decimal128(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "the JSON number "
              + text
              + " cannot be stored exactly in MongoDB (no int, long, double or Decimal128 holds it)");
    }
  }
}
