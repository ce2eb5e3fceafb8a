package dev.sluice.journal;

/**
 * How a column's values are held in memory and in the journal. Each kind has exactly one Java
 * representation, so that every consumer can rely on it:
 *
 * <ul>
 *   <li>{@link #BOOLEAN}: {@link Boolean}
 *   <li>{@link #INT16}, {@link #INT32}, {@link #INT64}: {@link Short}, {@link Integer}, {@link
 *       Long}
 *   <li>{@link #FLOAT32}, {@link #FLOAT64}: {@link Float}, {@link Double} (NaN, infinities and -0.0
 *       kept)
 *   <li>{@link #DECIMAL}: {@link String}, the exact decimal text ({@code -12.340}) or {@code NaN}
 *       (also for {@code money})
 *   <li>{@link #TEXT}, {@link #JSON}, {@link #UUID}, {@link #ENUM}, {@link #INTERVAL}, {@link
 *       #TIMETZ}, {@link #OTHER}: {@link String} (intervals as ISO-8601 {@code P1Y2M3DT4H5M6.7S},
 *       timetz as {@code 10:15:30.123456Z} in UTC, other types in PostgreSQL's text form)
 *   <li>{@link #BYTES}: {@code byte[]}
 *   <li>{@link #DATE}: {@link Integer}, days since 1970-01-01 ({@code MAX_VALUE} and {@code
 *       MIN_VALUE} for PostgreSQL's infinity and -infinity)
 *   <li>{@link #TIME}: {@link Long}, microseconds since midnight
 *   <li>{@link #TIMESTAMP}: {@link Long}, microseconds since 1970-01-01T00:00 (no time zone)
 *   <li>{@link #TIMESTAMPTZ}: {@link Long}, microseconds since 1970-01-01T00:00Z (for both, {@code
 *       Long.MAX_VALUE} and {@code MIN_VALUE} are infinity and -infinity)
 *   <li>{@link #ARRAY}: {@link java.util.List} of the element kind's representation (or null)
 * </ul>
 *
 * Any value may also be null (SQL NULL) or a {@link Unavailable} marker.
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
