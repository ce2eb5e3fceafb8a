package dev.sluice.journal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Values as text in ISO and PostgreSQL forms: dates {@code 2026-11-20}, times {@code
 * 10:15:30.123456}, timestamps {@code 2026-11-20T10:15:30.123456} (with {@code Z} for timestamptz),
 * bytes {@code \x0aff}. Stateless.
 */
public final class ValueText {
  private static final HexFormat HEX = HexFormat.of();

  private ValueText() {}

  /** A value of a kind as text; null stays null. Arrays are formatted element by element. */
  public static String format(Object value, ValueKind kind) {
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      return text;
    }
    return switch (kind) {
      case DATE -> date((Integer) value);
      case TIME -> time((Long) value);
      case TIMESTAMP -> timestamp((Long) value);
      case TIMESTAMPTZ -> timestampTz((Long) value);
      case BYTES -> bytes((byte[]) value);
      default -> String.valueOf(value);
    };
  }

  public static String date(int epochDay) {
    if (epochDay == Integer.MAX_VALUE || epochDay == Integer.MIN_VALUE) {
      return epochDay > 0 ? "infinity" : "-infinity";
    }
    return LocalDate.ofEpochDay(epochDay).toString();
  }

  /** {@code 10:15:30.123456}, {@code 10:15} (as {@link LocalTime} writes it), {@code 24:00}. */
  public static String time(long micros) {
    if (micros == END_OF_DAY_MICROS) {
      return "24:00";
    }
    return LocalTime.ofNanoOfDay(micros * 1_000).toString();
  }

  /** PostgreSQL's {@code 24:00:00} in microseconds since midnight. */
  public static final long END_OF_DAY_MICROS = 86_400_000_000L;

  public static String timestamp(long micros) {
    if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
      return micros > 0 ? "infinity" : "-infinity";
    }
    return LocalDateTime.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L),
            (int) Math.floorMod(micros, 1_000_000L) * 1_000,
            ZoneOffset.UTC)
        .toString();
  }

  public static String timestampTz(long micros) {
    if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
      return micros > 0 ? "infinity" : "-infinity";
    }
    return toInstant(micros).toString();
  }

  public static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
  }

  public static String bytes(byte[] value) {
    return "\\x" + HEX.formatHex(value);
  }

  /** Whether a kind's values are JSON numbers (when finite). */
  static boolean isNumeric(ValueKind kind) {
    return switch (kind) {
      case INT16, INT32, INT64, FLOAT32, FLOAT64 -> true;
      default -> false;
    };
  }
}
