package dev.sluice.topology.internal;

/** PostgreSQL WAL positions: {@code X/Y} text to a number (X&lt;&lt;32 | Y) and back. */
public final class Lsn {
  private Lsn() {}

  /**
   * Parses {@code 16/B374D848}.
   *
   * @throws IllegalArgumentException when it is not an LSN
   */
  public static long parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 1) {
      throw new IllegalArgumentException("'" + text + "' is not an LSN like 0/16B3748");
    }
    long high = Long.parseLong(text.substring(0, slash), 16);
    long low = Long.parseLong(text.substring(slash + 1), 16);
    return high << 32 | low;
  }

  /** The {@code X/Y} text of a position. */
  public static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT)
        + "/"
        + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
  }

  /** A byte count for people: {@code 512 B}, {@code 3.2 MB}. */
  public static String bytes(long bytes) {
    if (bytes < 0) {
      return "unknown";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** A duration in milliseconds for people: {@code 250 ms}, {@code 7.2 s}. */
  public static String millis(long millis) {
    if (millis < 0) {
      return "unknown";
    }
    return millis < 1000
        ? millis + " ms"
        : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
