package dev.sluice.journal;

import java.util.Locale;

/** What a change did. */
public enum Op {
  /** A row was inserted. */
  INSERT('c'),
  /** A row was updated. */
  UPDATE('u'),
  /** A row was deleted. */
  DELETE('d'),
  /** The table was truncated (no row images). */
  TRUNCATE('t'),
  /** A row was read by a snapshot (the row existed when capture started). */
  READ('r');

  private final char code;

  Op(char code) {
    this.code = code;
  }

  /** Debezium's one-letter code. */
  public char code() {
    return code;
  }

  /** The name users see and filter by: {@code insert}, {@code update}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a label ({@code insert}) or a one-letter code ({@code c}).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Op parse(String text) {
    String lower = text.trim().toLowerCase(Locale.ROOT);
    for (Op op : values()) {
      if (op.label().equals(lower) || (lower.length() == 1 && op.code == lower.charAt(0))) {
        return op;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not an operation; use insert, update, delete, truncate or read");
  }
}
