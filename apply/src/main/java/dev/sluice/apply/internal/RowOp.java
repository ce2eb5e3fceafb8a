package dev.sluice.apply.internal;

import dev.sluice.journal.Unavailable;

/**
 * The net effect of a chunk's changes on one target row.
 *
 * @param kind what to do
 * @param key the key values
 * @param row the kept columns' values ({@link Unavailable#UNCHANGED_TOAST} where the source did not
 *     send a value); null for deletes
 * @param commitMicros the source commit time of the last change merged in
 * @param position the journal position of that change
 */
public record RowOp(Kind kind, Object[] key, Object[] row, long commitMicros, long position) {

  /** What to do with a row. */
  public enum Kind {
    /** Insert or replace every column. */
    UPSERT,
    /** Update the columns that have values; the row must exist (some values were not sent). */
    UPDATE,
    /** Insert when absent, else leave the row alone (append mode). */
    INSERT,
    DELETE
  }

  /** Whether some column's value is {@link Unavailable#UNCHANGED_TOAST}. */
  static boolean hasUnchanged(Object[] row) {
    for (Object value : row) {
      if (value == Unavailable.UNCHANGED_TOAST) {
        return true;
      }
    }
    return false;
  }
}
