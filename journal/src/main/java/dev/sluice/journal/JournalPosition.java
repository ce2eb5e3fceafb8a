package dev.sluice.journal;

import java.time.LocalDate;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Journal positions: a day and a sequence number within it, written {@code 20779:42} (day 20779
 * since 1970-01-01, the 43rd entry of that day). They print short, parse back, and order like the
 * journal.
 */
public final class JournalPosition {
  /** No position (not appended yet, or nothing there). */
  public static final long NONE = -1;

  static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;

  private JournalPosition() {}

  public static String format(long position) {
    if (position == NONE) {
      return "-";
    }
    return ROLL_CYCLE.toCycle(position) + ":" + ROLL_CYCLE.toSequenceNumber(position);
  }

  /**
   * Parses {@code 20779:42}.
   *
   * @throws IllegalArgumentException when the text is not a position
   */
  public static long parse(String text) {
    int colon = text.indexOf(':');
    try {
      if (colon > 0) {
        int cycle = Integer.parseInt(text.substring(0, colon));
        long sequence = Long.parseLong(text.substring(colon + 1));
        if (cycle >= 0 && sequence >= 0 && sequence < ROLL_CYCLE.maxMessagesPerCycle()) {
          return ROLL_CYCLE.toIndex(cycle, sequence);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a journal position like 20779:42 (as 'sluice tail' prints them)");
  }

  /** Whether the text has the form of a position. */
  public static boolean looksLikePosition(String text) {
    return text.matches("\\d+:\\d+");
  }

  /** The position {@code count} entries before this one, but not before its day's first. */
  public static long backWithinDay(long position, long count) {
    long sequence = ROLL_CYCLE.toSequenceNumber(position);
    return ROLL_CYCLE.toIndex(ROLL_CYCLE.toCycle(position), Math.max(0, sequence - count));
  }

  /** The day a position belongs to. */
  public static LocalDate day(long position) {
    return LocalDate.ofEpochDay(ROLL_CYCLE.toCycle(position));
  }

  static int cycle(long position) {
    return ROLL_CYCLE.toCycle(position);
  }

  static long sequence(long position) {
    return ROLL_CYCLE.toSequenceNumber(position);
  }
}
