package dev.sluice.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes, written {@code 512B}, {@code 512KB}, {@code 16MB}, {@code 1GB} or {@code 2TB}
 * (binary multiples: 1KB = 1024 bytes).
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {
  private static final Pattern SYNTAX =
      Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|TB)?", Pattern.CASE_INSENSITIVE);
  private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB"};

  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a size cannot be negative: " + bytes);
    }
  }

  public static ByteSize ofBytes(long bytes) {
    return new ByteSize(bytes);
  }

  public static ByteSize ofMegabytes(long megabytes) {
    return new ByteSize(megabytes << 20);
  }

  /**
   * Parses {@code 16MB}, {@code 512KB}, {@code 100B} or a plain number of bytes.
   *
   * @throws IllegalArgumentException with a message naming the accepted forms
   */
  public static ByteSize parse(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size; write it like 512KB, 16MB or 1GB");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    int shift =
        switch (unit) {
          case "KB" -> 10;
          case "MB" -> 20;
          case "GB" -> 30;
          case "TB" -> 40;
          default -> 0;
        };
    if (shift > 0 && amount > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return new ByteSize(amount << shift);
  }

  /** Whether the text looks like a size (digits followed by a size unit). */
  public static boolean looksLikeSize(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    return m.matches() && m.group(2) != null;
  }

  @Override
  public int compareTo(ByteSize other) {
    return Long.compare(bytes, other.bytes);
  }

  /** The largest exact unit: {@code 16MB}, {@code 1536KB}, {@code 17B}. */
  @Override
  public String toString() {
    long amount = bytes;
    int unit = 0;
    while (unit < UNITS.length - 1 && amount != 0 && (amount & 1023) == 0) {
      amount >>= 10;
      unit++;
    }
    return amount + UNITS[unit];
  }
}
