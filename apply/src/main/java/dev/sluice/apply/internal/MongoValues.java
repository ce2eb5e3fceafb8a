package dev.sluice.apply.internal;

import dev.sluice.apply.TypeMapping;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueKind;
import dev.sluice.journal.ValueText;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
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
          TypeMapping.converted(
              "object",
              "as an embedded document of plain data (no extended JSON); numbers become int, long or"
                  + " double");
      case BYTES -> TypeMapping.exact("binData");
      case DATE ->
          TypeMapping.limited("date", "as a date at midnight UTC; infinity cannot be stored");
      case TIME, TIMETZ, INTERVAL -> TypeMapping.converted("string", "as ISO-8601 text");
      case TIMESTAMP, TIMESTAMPTZ ->
          TypeMapping.limited(
              "date", "microseconds are cut to milliseconds; infinity cannot be stored");
      case ARRAY -> TypeMapping.converted("array", "as an array");
      case OTHER -> TypeMapping.converted("string", "as its PostgreSQL text");
    };
  }

  static Object value(Object value, Column column) {
    if (value == null) {
      return null;
    }
    return column.kind() == ValueKind.ARRAY
        ? array((List<?>) value, column)
        : scalar(value, column.kind(), column.pgType());
  }

  private static List<Object> array(List<?> list, Column column) {
    List<Object> converted = new ArrayList<>(list.size());
    for (Object element : list) {
      converted.add(
          element == null
              ? null
              : scalar(element, column.elementKind(), column.pgType().replace("[]", "")));
    }
    return converted;
  }

  private static Object scalar(Object value, ValueKind kind, String pgType) {
    return switch (kind) {
      case INT16 -> ((Short) value).intValue();
      case FLOAT32 -> ((Float) value).doubleValue();
      case DECIMAL -> decimal((String) value, pgType);
      case JSON -> MongoJson.value((String) value);
      case BYTES -> new Binary((byte[]) value);
      case DATE -> {
        int days = (Integer) value;
        if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
          throw new IllegalArgumentException("a date infinity cannot be stored as a MongoDB date");
        }
        yield new Date(days * 86_400_000L);
      }
      case TIME -> ValueText.time((Long) value);
      case TIMESTAMP, TIMESTAMPTZ -> date((Long) value);
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

  private static Object date(long micros) {
    if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
      throw new IllegalArgumentException("infinity cannot be stored as a MongoDB date");
    }
    return new Date(Math.floorDiv(micros, 1000L));
  }
}
