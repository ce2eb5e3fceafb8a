package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How far a slave may be behind its master and still get reads or be promoted: a time ({@code 5s})
 * or an amount of WAL ({@code 16MB}). {@code 0} means fully caught up.
 *
 * @param time the time limit, or null when the limit is a size
 * @param size the size limit, or null when the limit is a time
 */
public record LagTolerance(Duration time, ByteSize size) {
  public static final LagTolerance CAUGHT_UP = new LagTolerance(Duration.ZERO, ByteSize.ofBytes(0));

  public LagTolerance {
    if (time == null && size == null) {
      throw new IllegalArgumentException("a lag tolerance needs a time or a size");
    }
  }

  public static LagTolerance ofTime(Duration time) {
    return new LagTolerance(Objects.requireNonNull(time), null);
  }

  public static LagTolerance ofSize(ByteSize size) {
    return new LagTolerance(null, Objects.requireNonNull(size));
  }

  /**
   * Parses {@code 5s}, {@code 16MB} or {@code 0}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static LagTolerance parse(String text) {
    String trimmed = text.trim();
    if (trimmed.equals("0")) {
      return CAUGHT_UP;
    }
    if (Durations.looksLikeDuration(trimmed)) {
      return ofTime(Durations.parse(trimmed));
    }
    if (ByteSize.looksLikeSize(trimmed)) {
      return ofSize(ByteSize.parse(trimmed));
    }
    throw new IllegalArgumentException(
        "'" + text + "' is neither a duration (5s, 250ms) nor a size (16MB); 0 means caught up");
  }

  /** Whether a lag of {@code lagBytes} bytes and {@code lagMillis} ms is within this tolerance. */
  public boolean allows(long lagBytes, long lagMillis) {
    if (this.equals(CAUGHT_UP)) {
      return lagBytes == 0;
    }
    return time != null ? lagMillis <= time.toMillis() : lagBytes <= size.bytes();
  }

  @Override
  public String toString() {
    if (this.equals(CAUGHT_UP)) {
      return "0";
    }
    return time != null ? Durations.format(time) : size.toString();
  }
}
