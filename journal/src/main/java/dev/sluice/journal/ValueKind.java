package dev.sluice.journal;

/**
 * How a column's values are held in memory and in the journal. Each kind has one Java
 * representation (and, where noted, one more for values it cannot hold or for journals written by
 * earlier versions), so that every consumer can rely on it. Every representation is exact: the
 * source's value can be written back from it unchanged.
 *
 * <ul>
 *   <li>{@link #BOOLEAN}: {@link Boolean}
 *   <li>{@link #INT16}, {@link #INT32}, {@link #INT64}: {@link Short}, {@link Integer}, {@link
 *       Long}
 *   <li>{@link #FLOAT32}, {@link #FLOAT64}: {@link Float}, {@link Double} (NaN, infinities and -0.0
 *       kept)
 *   <li>{@link #DECIMAL}: {@link String}, the decimal as PostgreSQL prints it, scale kept ({@code
 *       -12.340}), or {@code NaN}, {@code Infinity}, {@code -Infinity}; {@code money} as a plain
 *       decimal ({@code -1234.56})
 *   <li>{@link #TEXT}, {@link #JSON}, {@link #UUID}, {@link #ENUM}, {@link #OTHER}: {@link String},
 *       PostgreSQL's text form (other types: geometric, ranges, composite, bit strings, network,
 *       text search, extension types ...)
 *   <li>{@link #INTERVAL}: {@link String}, ISO-8601 as PostgreSQL prints it with {@code
 *       IntervalStyle = iso_8601} ({@code P1Y2M3DT4H5M6.789S}, {@code PT0S}, {@code infinity})
 *   <li>{@link #TIMETZ}: {@link String}, PostgreSQL's text with its offset ({@code
 *       10:15:30.123456+05:30}); journals written before hold it in UTC ({@code 08:15:30.123456Z})
 *   <li>{@link #BYTES}: {@code byte[]}
 *   <li>{@link #DATE}: {@link Integer}, days since 1970-01-01 in the proleptic Gregorian calendar
 *       (year 0 is 1 BC; {@code MAX_VALUE} and {@code MIN_VALUE} for PostgreSQL's infinity and
 *       -infinity)
 *   <li>{@link #TIME}: {@link Long}, microseconds since midnight, {@code 24:00:00} included
 *   <li>{@link #TIMESTAMP}: {@link Long}, microseconds since 1970-01-01T00:00 (no time zone)
 *   <li>{@link #TIMESTAMPTZ}: {@link Long}, microseconds since 1970-01-01T00:00Z (for both, {@code
 *       Long.MAX_VALUE} and {@code MIN_VALUE} are infinity and -infinity; a value a long of
 *       microseconds since 1970 cannot hold, after the year 294246, is a {@link String} in
 *       PostgreSQL's text form instead, see {@link PgText#timestamp})
 *   <li>{@link #ARRAY}: {@link String}, PostgreSQL's text form of the array (every dimension, NULL
 *       elements and lower bounds kept; see {@link PgArrayText}); journals written before hold a
 *       {@link java.util.List} of the element kind's representation (or null) for one dimension
 * </ul>
 *
 * Any value may also be null (SQL NULL) or an {@link Unavailable} marker.
 */
public enum ValueKind {
  BOOLEAN,
  INT16,
  INT32,
  INT64,
  FLOAT32,
  FLOAT64,
  DECIMAL,
  TEXT,
  JSON,
  UUID,
  ENUM,
  INTERVAL,
  TIMETZ,
  BYTES,
  DATE,
  TIME,
  TIMESTAMP,
  TIMESTAMPTZ,
  ARRAY,
  OTHER;

  private static final ValueKind[] VALUES = values();

  static ValueKind ofOrdinal(int ordinal) {
    return VALUES[ordinal];
  }
}
