package dev.sluice.journal;

/** Stands in a row image for a value that the source did not send. */
public enum Unavailable {
  /**
   * An unchanged TOASTed value: PostgreSQL does not send large values that an update left
   * unchanged. Appliers leave such a column as it is on the target.
   */
  UNCHANGED_TOAST,
  /**
   * Not part of this image: in a delete's before image under REPLICA IDENTITY DEFAULT, only the key
   * columns are known.
   */
  ABSENT
}
