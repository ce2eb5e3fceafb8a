package dev.sluice.journal;

import java.time.LocalDate;

/**
 * PostgreSQL's own text forms of dates and times (as it prints them with {@code DateStyle = ISO}
 * and {@code IntervalStyle = iso_8601}), read and written exactly over PostgreSQL's whole range:
 * years before 1 ({@code 0044-03-15 BC}) and after 9999 ({@code 294276-12-31}), {@code infinity},
 * {@code 24:00:00}, offsets with seconds ({@code +05:30:15}). Stateless; no regular expressions.
 *
 * <p>Timestamps are counted here, as in PostgreSQL itself, in microseconds since 2000-01-01 ("PG
 * epoch"), which holds PostgreSQL's whole range ({@link Long#MAX_VALUE} and {@link Long#MIN_VALUE}
 * are {@code infinity} and {@code -infinity}); {@link #unixMicros} gives the journal's form.
 */
public final class PgText {
  /** Microseconds from 1970-01-01 to 2000-01-01. */
  public static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  private static final long MICROS_PER_DAY = 86_400_000_000L;
  private static final int PG_EPOCH_DAY = 10_957; // 2000-01-01 in days since 1970-01-01

  private PgText() {}

  /**
   * A journal value in PostgreSQL's text form, which PostgreSQL reads back as the same value (with
   * a cast to the column's type): dates, times and timestamps as {@link #date}, {@link #time} and
   * {@link #timestamp} print them, bytes as {@code \\x00ff}, booleans as {@code t} / {@code f},
   * arrays journaled as lists (by earlier versions) as array text; strings as they are.
   */
  public static String format(Object value, Column column) {
    if (value instanceof java.util.List<?> list && column.kind() == ValueKind.ARRAY) {
      java.util.List<String> elements = new java.util.ArrayList<>(list.size());
      for (Object element : list) {
        elements.add(element == null ? null : format(element, column.elementKind()));
      }
      return PgArrayText.format(elements, null, ',');
    }
    return format(value, column.kind());
  }

  /**
   * A scalar journal value of a kind in PostgreSQL's text form (see {@link #format(Object,
   * Column)}).
   */
  public static String format(Object value, ValueKind kind) {
    if (value instanceof String text) {
      return text;
    }
    return switch (kind) {
      case DATE -> date((Integer) value);
      case TIME -> time((Long) value);
      case TIMESTAMP -> timestamp(pgMicros((Long) value), false);
      case TIMESTAMPTZ -> timestamp(pgMicros((Long) value), true);
      case BYTES -> ValueText.bytes((byte[]) value);
      case BOOLEAN -> (Boolean) value ? "t" : "f";
      default -> String.valueOf(value);
    };
  }

  /**
   * The journal representation ({@link ValueKind}) of a value of a kind given in PostgreSQL's text
   * form, as array elements are: {@code t}, {@code 42}, {@code NaN}, {@code 2026-11-20
   * 10:15:30+02}, {@code \\x00ff}. Strings of other kinds are returned as they are.
   */
  public static Object value(String text, ValueKind kind) {
    return switch (kind) {
      case BOOLEAN -> text.equals("t") || text.equals("true");
      case INT16 -> Short.parseShort(text);
      case INT32 -> Integer.parseInt(text);
      case INT64 -> Long.parseLong(text);
      case FLOAT32 -> Float.parseFloat(text);
      case FLOAT64 -> Double.parseDouble(text);
      case DATE -> parseDate(text);
      case TIME -> parseTime(text);
      case TIMESTAMP, TIMESTAMPTZ -> {
        long pg = parseTimestamp(text);
        Long unix = unixMicros(pg);
        yield unix != null ? (Object) unix : timestamp(pg, kind == ValueKind.TIMESTAMPTZ);
      }
      case BYTES -> java.util.HexFormat.of().parseHex(text, 2, text.length());
      default -> text;
    };
  }

  // dates

  /** {@code 2026-11-20}, {@code 0044-03-15 BC}, {@code infinity}: a journal date (epoch day). */
  public static String date(int epochDay) {
    if (epochDay == Integer.MAX_VALUE) {
      return "infinity";
    }
    if (epochDay == Integer.MIN_VALUE) {
      return "-infinity";
    }
    StringBuilder out = new StringBuilder(16);
    boolean bc = appendDate(out, epochDay);
    return bc ? out.append(" BC").toString() : out.toString();
  }

  /** The journal's date (days since 1970-01-01) of a PostgreSQL date's text. */
  public static int parseDate(String text) {
    if (text.equals("infinity")) {
      return Integer.MAX_VALUE;
    }
    if (text.equals("-infinity")) {
      return Integer.MIN_VALUE;
    }
    Cursor c = new Cursor(text);
    c.date();
    c.era();
    c.end();
    return (int) c.epochDay();
  }

  // times of day

  /** {@code 10:15:30.123456}, {@code 24:00:00}: microseconds since midnight. */
  public static String time(long micros) {
    StringBuilder out = new StringBuilder(15);
    appendTime(out, micros);
    return out.toString();
  }

  /** Microseconds since midnight of {@code HH:MM:SS[.ffffff]} (up to {@code 24:00:00}). */
  public static long parseTime(String text) {
    Cursor c = new Cursor(text);
    long micros = c.time();
    c.end();
    return micros;
  }

  // timestamps

  /**
   * {@code 2026-11-20 10:15:30.123456}, with {@code +00} when {@code withZone} (in UTC), {@code BC}
   * before year 1; {@code infinity} and {@code -infinity}.
   *
   * @param pgMicros microseconds since 2000-01-01 (UTC for a timestamptz)
   */
  public static String timestamp(long pgMicros, boolean withZone) {
    if (pgMicros == Long.MAX_VALUE) {
      return "infinity";
    }
    if (pgMicros == Long.MIN_VALUE) {
      return "-infinity";
    }
    long day = Math.floorDiv(pgMicros, MICROS_PER_DAY) + PG_EPOCH_DAY;
    long micros = Math.floorMod(pgMicros, MICROS_PER_DAY);
    StringBuilder out = new StringBuilder(32);
    boolean bc = appendDate(out, day);
    out.append(' ');
    appendTime(out, micros);
    if (withZone) {
      out.append("+00");
    }
    return bc ? out.append(" BC").toString() : out.toString();
  }

  /**
   * Microseconds since 2000-01-01 (in UTC when the text has an offset) of a timestamp's or
   * timestamptz's text ({@code 2026-11-20 10:15:30.123456+05:30}, {@code 0044-03-15 10:00:00 BC},
   * {@code infinity}); also takes {@code T} between date and time.
   */
  public static long parseTimestamp(String text) {
    if (text.equals("infinity")) {
      return Long.MAX_VALUE;
    }
    if (text.equals("-infinity")) {
      return Long.MIN_VALUE;
    }
    Cursor c = new Cursor(text);
    c.date();
    c.expectOneOf(' ', 'T');
    long micros = c.time();
    int offsetSeconds = c.offset();
    c.era();
    c.end();
    long day = c.epochDay();
    return (day - PG_EPOCH_DAY) * MICROS_PER_DAY + micros - offsetSeconds * 1_000_000L;
  }

  /**
   * The journal's timestamp (microseconds since 1970-01-01; {@link Long#MAX_VALUE} and {@link
   * Long#MIN_VALUE} for the infinities) of a PG-epoch one, or null when it is beyond what a long of
   * microseconds since 1970 holds (the last 30 years of PostgreSQL's range, after 294246).
   */
  public static Long unixMicros(long pgMicros) {
    if (pgMicros == Long.MAX_VALUE || pgMicros == Long.MIN_VALUE) {
      return pgMicros;
    }
    if (pgMicros >= Long.MAX_VALUE - PG_EPOCH_MICROS) {
      return null;
    }
    return pgMicros + PG_EPOCH_MICROS;
  }

  /** The PG-epoch form of a journal timestamp (infinities kept). */
  public static long pgMicros(long unixMicros) {
    if (unixMicros == Long.MAX_VALUE || unixMicros == Long.MIN_VALUE) {
      return unixMicros;
    }
    return unixMicros - PG_EPOCH_MICROS;
  }

  // time with time zone

  /** {@code 10:15:30.123456+00}: a time in UTC as PostgreSQL prints a timetz. */
  public static String timeTzUtc(long micros) {
    return time(micros) + "+00";
  }

  // intervals

  /**
   * An interval as PostgreSQL prints it with {@code IntervalStyle = iso_8601}: {@code
   * P1Y2M3DT4H5M6.789S}, {@code PT0S}, {@code P-1Y-2M3DT-4H-5M-6.000001S}.
   *
   * @param months the months part (PostgreSQL shows it as years and months)
   * @param days the days part
   * @param micros the time part in microseconds (shown as hours, minutes and seconds)
   */
  public static String isoInterval(int months, int days, long micros) {
    if (months == 0 && days == 0 && micros == 0) {
      return "PT0S";
    }
    StringBuilder out = new StringBuilder(40).append('P');
    isoPart(out, months / 12, 'Y');
    isoPart(out, months % 12, 'M');
    isoPart(out, days, 'D');
    long hours = micros / 3_600_000_000L;
    long rest = micros % 3_600_000_000L;
    long minutes = rest / 60_000_000L;
    long secondMicros = rest % 60_000_000L;
    if (micros != 0) {
      out.append('T');
    }
    isoPart(out, hours, 'H');
    isoPart(out, minutes, 'M');
    if (secondMicros != 0) {
      if (secondMicros < 0) {
        out.append('-');
        secondMicros = -secondMicros;
      }
      out.append(secondMicros / 1_000_000);
      appendFraction(out, secondMicros % 1_000_000);
      out.append('S');
    }
    return out.toString();
  }

  private static void isoPart(StringBuilder out, long value, char unit) {
    if (value != 0) {
      out.append(value).append(unit);
    }
  }

  // formatting helpers

  /** Appends {@code YYYY-MM-DD} (year of era); returns whether the date is before year 1. */
  private static boolean appendDate(StringBuilder out, long epochDay) {
    LocalDate date = LocalDate.ofEpochDay(epochDay);
    int year = date.getYear();
    boolean bc = year <= 0;
    int yearOfEra = bc ? 1 - year : year;
    if (yearOfEra < 1000) {
      out.append(yearOfEra < 10 ? "000" : yearOfEra < 100 ? "00" : "0");
    }
    out.append(yearOfEra).append('-');
    two(out, date.getMonthValue()).append('-');
    two(out, date.getDayOfMonth());
    return bc;
  }

  private static void appendTime(StringBuilder out, long micros) {
    long seconds = micros / 1_000_000;
    two(out, (int) (seconds / 3600)).append(':');
    two(out, (int) (seconds / 60 % 60)).append(':');
    two(out, (int) (seconds % 60));
    appendFraction(out, micros % 1_000_000);
  }

  /** {@code .5}, {@code .000001}: microseconds as a fraction without trailing zeros, or nothing. */
  private static void appendFraction(StringBuilder out, long micros) {
    if (micros == 0) {
      return;
    }
    out.append('.');
    int digits = 6;
    while (micros % 10 == 0) {
      micros /= 10;
      digits--;
    }
    String text = Long.toString(micros);
    for (int i = text.length(); i < digits; i++) {
      out.append('0');
    }
    out.append(text);
  }

  private static StringBuilder two(StringBuilder out, int value) {
    if (value < 10) {
      out.append('0');
    }
    return out.append(value);
  }

  /** Reads PostgreSQL's ISO forms left to right; fails with the text when it does not fit. */
  private static final class Cursor {
    private final String text;
    private int at;
    private int year;
    private int month;
    private int day;
    private boolean bc;

    Cursor(String text) {
      this.text = text;
    }

    void date() {
      year = number(1, 9);
      expect('-');
      month = number(2, 2);
      expect('-');
      day = number(2, 2);
    }

    /** The date read, in days since 1970-01-01 (year 1 BC is year 0, as in ISO-8601). */
    long epochDay() {
      try {
        return LocalDate.of(bc ? 1 - year : year, month, day).toEpochDay();
      } catch (java.time.DateTimeException e) {
        throw invalid();
      }
    }

    long time() {
      int hour = number(2, 2);
      expect(':');
      int minute = number(2, 2);
      int second = 0;
      long fraction = 0;
      if (at < text.length() && text.charAt(at) == ':') {
        at++;
        second = number(2, 2);
        if (at < text.length() && text.charAt(at) == '.') {
          at++;
          int start = at;
          long value = number(1, 6);
          for (int digits = at - start; digits < 6; digits++) {
            value *= 10;
          }
          fraction = value;
        }
      }
      long micros = ((hour * 60L + minute) * 60 + second) * 1_000_000 + fraction;
      if (minute > 59 || second > 59 || micros > MICROS_PER_DAY) {
        throw invalid();
      }
      return micros;
    }

    /**
     * An offset {@code +HH[:MM[:SS]]} or {@code Z} in seconds east of UTC; 0 when there is none.
     */
    int offset() {
      if (at >= text.length()) {
        return 0;
      }
      char sign = text.charAt(at);
      if (sign == 'Z') {
        at++;
        return 0;
      }
      if (sign != '+' && sign != '-') {
        return 0;
      }
      at++;
      int seconds = number(2, 2) * 3600;
      if (at < text.length() && text.charAt(at) == ':') {
        at++;
        seconds += number(2, 2) * 60;
        if (at < text.length() && text.charAt(at) == ':') {
          at++;
          seconds += number(2, 2);
        }
      }
      return sign == '-' ? -seconds : seconds;
    }

    void era() {
      if (text.startsWith(" BC", at)) {
        bc = true;
        at += 3;
      }
    }

    void expect(char c) {
      if (at >= text.length() || text.charAt(at) != c) {
        throw invalid();
      }
      at++;
    }

    void expectOneOf(char a, char b) {
      if (at >= text.length() || (text.charAt(at) != a && text.charAt(at) != b)) {
        throw invalid();
      }
      at++;
    }

    void end() {
      if (at != text.length()) {
        throw invalid();
      }
    }

    private int number(int min, int max) {
      int start = at;
      int value = 0;
      while (at < text.length() && at - start < max) {
        char c = text.charAt(at);
        if (c < '0' || c > '9') {
          break;
        }
        value = value * 10 + (c - '0');
        at++;
      }
      if (at - start < min) {
        throw invalid();
      }
      return value;
    }

    private IllegalArgumentException invalid() {
      return new IllegalArgumentException("not a PostgreSQL date or time: '" + text + "'");
    }
  }
}
