package dev.sluice.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d}.
 */
public final class Durations {
  private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses a duration; {@code 0} alone is accepted as zero.
   *
   * @throws IllegalArgumentException with a message naming the accepted forms
   */
  public static Duration parse(String text) {
    String trimmed = text.trim();
    if (trimmed.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SYNTAX.matcher(trimmed);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 250ms, 10s, 5m, 2h or 7d");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  /** Whether the text looks like a duration (digits followed by a time unit). */
  public static boolean looksLikeDuration(String text) {
    return SYNTAX.matcher(text.trim()).matches();
  }

  /** The largest exact unit: {@code 7d}, {@code 90s}, {@code 250ms}, {@code 0}. */
  /**
   * Whole seconds, rounded up and at least 1, for drivers whose timeouts are in seconds
   * (PostgreSQL's {@code connectTimeout} and {@code loginTimeout}): {@code 250ms} is 1, {@code
   * 1500ms} is 2.
   */
  public static int ceilSeconds(Duration duration) {
    long millis = Math.max(1, duration.toMillis());
    return (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
  }

  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }
}
