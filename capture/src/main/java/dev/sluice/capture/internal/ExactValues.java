package dev.sluice.capture.internal;

import dev.sluice.journal.PgText;
import dev.sluice.journal.ValueKind;
import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.connector.postgresql.UnchangedToastedReplicationMessageColumn;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.geometric.PGbox;
import org.postgresql.geometric.PGcircle;
import org.postgresql.geometric.PGline;
import org.postgresql.geometric.PGlseg;
import org.postgresql.geometric.PGpath;
import org.postgresql.geometric.PGpoint;
import org.postgresql.geometric.PGpolygon;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGobject;

/**
 * The engine's converter for every captured column (its {@code converters} setting): turns what the
 * engine read into the journal's representation of the column's kind ({@link ValueKind}), exactly,
 * in place of the engine's own conversions (which lose BC eras, array dimensions and bounds, and
 * cannot hold numeric infinities or geometric values). Each field's schema is named {@code
 * sluice.<KIND>} so that {@link RecordMapper} knows the representation it carries.
 *
 * <p>What the engine hands over differs by path:
 *
 * <ul>
 *   <li>snapshot rows: PostgreSQL's own text, for every column that {@link SnapshotSelect} casts to
 *       text (all but booleans, integers, floats, character strings and bytea);
 *   <li>streamed changes: the engine's parse of the text the replication protocol carries ({@link
 *       LocalDate}, {@link Instant}, {@link OffsetDateTime}, {@link PGInterval}, geometric objects,
 *       {@code PgArray} with its text, {@link SpecialValueDecimal}, strings).
 * </ul>
 *
 * Two things the engine's streaming parse cannot give back are documented where they are used: the
 * offset of a {@code timetz} (the engine keeps the instant, in UTC) and an interval's {@code
 * infinity} (the engine reads it as zero); {@link RecordMapper} reads those values again from the
 * source.
 *
 * <p>Timestamps are handed on in microseconds since 2000-01-01 ({@link PgText}), which holds
 * PostgreSQL's whole range; {@link RecordMapper} turns them into the journal's form.
 *
 * <p>Stateless after {@link #configure}; the engine calls it from its own threads.
 */
public final class ExactValues implements CustomConverter<SchemaBuilder, RelationalColumn> {
  /** The engine's name for this converter in its {@code converters} setting. */
  public static final String NAME = "sluice";

  /** The prefix of the schema names this converter gives fields. */
  public static final String SCHEMA_PREFIX = "sluice.";

  private static final byte[] UNCHANGED_BYTES =
      RecordMapper.UNCHANGED_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);

  @Override
  public void configure(Properties properties) {}

  @Override
  public void converterFor(
      RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
    ValueKind kind = kindOf(column.nativeType(), column.jdbcType());
    SchemaBuilder schema =
        switch (kind) {
          case BOOLEAN -> SchemaBuilder.bool();
          case INT16 -> SchemaBuilder.int16();
          case INT32, DATE -> SchemaBuilder.int32();
          case INT64, TIME, TIMESTAMP, TIMESTAMPTZ -> SchemaBuilder.int64();
          case FLOAT32 -> SchemaBuilder.float32();
          case FLOAT64 -> SchemaBuilder.float64();
          case BYTES -> SchemaBuilder.bytes();
          default -> SchemaBuilder.string();
        };
    schema.optional().name(SCHEMA_PREFIX + kind.name());
    registration.register(schema, converter(kind, column.nativeType()));
  }

  /** The kind of a column by its type (a domain's base type) and JDBC type. */
  static ValueKind kindOf(int rootOid, int jdbcType) {
    if (jdbcType == java.sql.Types.ARRAY) {
      return ValueKind.ARRAY;
    }
    return switch (rootOid) {
      case 16 -> ValueKind.BOOLEAN;
      case 17 -> ValueKind.BYTES;
      case 18, 19, 25, 142, 1042, 1043 -> ValueKind.TEXT;
      case 20, 26 -> ValueKind.INT64;
      case 21 -> ValueKind.INT16;
      case 23 -> ValueKind.INT32;
      case 114, 3802 -> ValueKind.JSON;
      case 700 -> ValueKind.FLOAT32;
      case 701 -> ValueKind.FLOAT64;
      case 790, 1700 -> ValueKind.DECIMAL;
      case 1082 -> ValueKind.DATE;
      case 1083 -> ValueKind.TIME;
      case 1114 -> ValueKind.TIMESTAMP;
      case 1184 -> ValueKind.TIMESTAMPTZ;
      case 1186 -> ValueKind.INTERVAL;
      case 1266 -> ValueKind.TIMETZ;
      case 2950 -> ValueKind.UUID;
      default -> ValueKind.OTHER;
    };
  }

  private static Converter converter(ValueKind kind, int rootOid) {
    return switch (kind) {
      case BOOLEAN -> raw -> raw instanceof String s ? (Object) s.equals("t") : raw;
      case INT16 ->
          raw ->
              raw instanceof Number n ? (Object) n.shortValue() : nonNull(raw, Short::parseShort);
      case INT32 ->
          raw -> raw instanceof Number n ? (Object) n.intValue() : nonNull(raw, Integer::parseInt);
      case INT64 ->
          raw -> raw instanceof Number n ? (Object) n.longValue() : nonNull(raw, Long::parseLong);
      case FLOAT32 ->
          raw ->
              raw instanceof Number n ? (Object) n.floatValue() : nonNull(raw, Float::parseFloat);
      case FLOAT64 ->
          raw ->
              raw instanceof Number n
                  ? (Object) n.doubleValue()
                  : nonNull(raw, Double::parseDouble);
      case BYTES -> ExactValues::bytes;
      case DECIMAL -> ExactValues::decimal;
      case DATE -> ExactValues::date;
      case TIME -> raw -> raw == null ? null : PgText.parseTime(raw.toString());
      case TIMESTAMP, TIMESTAMPTZ -> ExactValues::timestamp;
      case TIMETZ -> ExactValues::timeTz;
      case INTERVAL -> ExactValues::interval;
      case ARRAY -> ExactValues::text;
      default -> rootOid >= 600 && rootOid <= 718 ? ExactValues::geometric : ExactValues::text;
    };
  }

  private interface Parser {
    Object parse(String text);
  }

  private static Object nonNull(Object raw, Parser parser) {
    return raw == null ? null : parser.parse(raw.toString());
  }

  /** Text as PostgreSQL printed it (strings, PgArray's own text, PGobject's value). */
  private static Object text(Object raw) {
    if (raw == null) {
      return null;
    }
    if (UnchangedToastedReplicationMessageColumn.isUnchangedToastedValue(raw)) {
      return RecordMapper.UNCHANGED_PLACEHOLDER;
    }
    if (raw instanceof PGobject object) {
      return object.getValue();
    }
    return raw.toString();
  }

  private static Object bytes(Object raw) {
    if (raw == null) {
      return null;
    }
    if (UnchangedToastedReplicationMessageColumn.isUnchangedToastedValue(raw)) {
      return UNCHANGED_BYTES;
    }
    if (raw instanceof byte[] bytes) {
      return bytes;
    }
    if (raw instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return bytes;
    }
    String text = raw.toString();
    return java.util.HexFormat.of().parseHex(text, 2, text.length());
  }

  /** {@code 1.500}, {@code NaN}, {@code Infinity}: scale kept; {@code money} as a plain decimal. */
  private static Object decimal(Object raw) {
    if (raw == null) {
      return null;
    }
    if (UnchangedToastedReplicationMessageColumn.isUnchangedToastedValue(raw)) {
      return RecordMapper.UNCHANGED_PLACEHOLDER;
    }
    if (raw instanceof SpecialValueDecimal special) {
      if (special.getDecimalValue().isPresent()) {
        return special.getDecimalValue().get().toPlainString();
      }
      return special.equals(SpecialValueDecimal.NOT_A_NUMBER)
          ? "NaN"
          : special.equals(SpecialValueDecimal.POSITIVE_INF) ? "Infinity" : "-Infinity";
    }
    if (raw instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return raw.toString();
  }

  private static Object date(Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof LocalDate date) {
      if (date.equals(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE)) {
        return Integer.MAX_VALUE;
      }
      if (date.equals(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE)) {
        return Integer.MIN_VALUE;
      }
      return (int) date.toEpochDay();
    }
    return PgText.parseDate(raw.toString());
  }

  /** Microseconds since 2000-01-01 (UTC for a timestamptz); the infinities as Long's extremes. */
  private static Object timestamp(Object raw) {
    if (raw == null) {
      return null;
    }
    Instant instant;
    if (raw instanceof Instant i) {
      if (i.equals(PostgresValueConverter.POSITIVE_INFINITY_INSTANT)) {
        return Long.MAX_VALUE;
      }
      if (i.equals(PostgresValueConverter.NEGATIVE_INFINITY_INSTANT)) {
        return Long.MIN_VALUE;
      }
      instant = i;
    } else if (raw instanceof OffsetDateTime time) {
      if (time.equals(PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME)) {
        return Long.MAX_VALUE;
      }
      if (time.equals(PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME)) {
        return Long.MIN_VALUE;
      }
      instant = time.toInstant();
    } else {
      return PgText.parseTimestamp(raw.toString());
    }
    return (instant.getEpochSecond() - PgText.PG_EPOCH_MICROS / 1_000_000) * 1_000_000
        + instant.getNano() / 1_000;
  }

  /**
   * A timetz as PostgreSQL prints it. Snapshot rows carry the source's text, offset included; the
   * engine's streaming parse keeps only the instant, given here in UTC ({@code +00}).
   */
  private static Object timeTz(Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof OffsetTime time) {
      OffsetTime utc = time.withOffsetSameInstant(ZoneOffset.UTC);
      return PgText.timeTzUtc(utc.toLocalTime().toNanoOfDay() / 1_000);
    }
    return raw.toString();
  }

  /** ISO-8601 as PostgreSQL prints it with {@code IntervalStyle = iso_8601}. */
  private static Object interval(Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof PGInterval interval) {
      int months = interval.getYears() * 12 + interval.getMonths();
      long micros =
          ((interval.getHours() * 60L + interval.getMinutes()) * 60 + interval.getWholeSeconds())
                  * 1_000_000
              + interval.getMicroSeconds();
      return PgText.isoInterval(months, interval.getDays(), micros);
    }
    return raw.toString();
  }

  /** Geometric values: the engine parses them into objects; printed again as PostgreSQL does. */
  private static Object geometric(Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof PGpoint point) {
      return point(point);
    }
    if (raw instanceof PGbox box) {
      return point(box.point[0]) + "," + point(box.point[1]);
    }
    if (raw instanceof PGlseg lseg) {
      return "[" + point(lseg.point[0]) + "," + point(lseg.point[1]) + "]";
    }
    if (raw instanceof PGline line) {
      return "{"
          + PgFloat.format(line.a)
          + ","
          + PgFloat.format(line.b)
          + ","
          + PgFloat.format(line.c)
          + "}";
    }
    if (raw instanceof PGcircle circle) {
      return "<" + point(circle.center) + "," + PgFloat.format(circle.radius) + ">";
    }
    if (raw instanceof PGpath path) {
      return points(path.points, path.open ? '[' : '(', path.open ? ']' : ')');
    }
    if (raw instanceof PGpolygon polygon) {
      return points(polygon.points, '(', ')');
    }
    return text(raw);
  }

  private static String point(PGpoint point) {
    return "(" + PgFloat.format(point.x) + "," + PgFloat.format(point.y) + ")";
  }

  private static String points(PGpoint[] points, char open, char close) {
    StringBuilder out = new StringBuilder().append(open);
    for (int i = 0; i < points.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(point(points[i]));
    }
    return out.append(close).toString();
  }
}
