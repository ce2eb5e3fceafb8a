package dev.sluice.journal;

/** PostgreSQL WAL positions, written {@code 16/B374D848} (two hexadecimal halves). */
public final class Lsn {
  private Lsn() {}

  public static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase()
        + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }

  /**
   * Parses {@code X/Y}.
   *
   * @throws IllegalArgumentException when it is not an LSN
   */
  public static long parse(String text) {
    int slash = text.indexOf('/');
    try {
      if (slash > 0 && slash < text.length() - 1) {
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        if (high <= 0xFFFFFFFFL && low <= 0xFFFFFFFFL) {
          return (high << 32) | low;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("'" + text + "' is not an LSN like 16/B374D848");
  }
}
