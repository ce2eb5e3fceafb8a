package dev.sluice.stream.internal;

import dev.sluice.config.TableName;
import java.nio.charset.StandardCharsets;

/**
 * Kafka topic names: {@code <prefix>.<schema>.<table>}, or {@code <prefix>.<rename>} where the rule
 * renames the table (its dots separate parts). A part keeps letters, digits and {@code _}; every
 * other byte of its UTF-8 form, {@code -} and {@code .} included, is written {@code -XX} (two
 * upper-case hex digits), so {@code "Odd Name"} is {@code Odd-20Name} and {@code order-items} is
 * {@code order-2Ditems}: the name holds only what Kafka allows ({@code [a-zA-Z0-9._-]}) and reads
 * back to the table unambiguously.
 */
public final class Topics {
  /** The longest topic name Kafka accepts. */
  public static final int MAX_LENGTH = 249;

  private Topics() {}

  /** The topic of a table; may be longer than {@link #MAX_LENGTH} (the caller refuses it). */
  public static String of(String prefix, TableName table, String renamed) {
    StringBuilder topic = new StringBuilder(prefix);
    if (renamed != null) {
      for (String part : renamed.split("\\.", -1)) {
        topic.append('.').append(part(part));
      }
    } else {
      topic.append('.').append(part(table.schema())).append('.').append(part(table.name()));
    }
    return topic.toString();
  }

  static String part(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
        out.append(c);
      } else {
        out.append('-').append(String.format("%02X", b & 0xff));
      }
    }
    return out.length() == 0 ? "-" : out.toString();
  }

  /** The text of a part written by {@link #of}. */
  public static String decode(String part) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '-' && i + 2 < part.length()) {
        bytes.write(Integer.parseInt(part.substring(i + 1, i + 3), 16));
        i += 2;
      } else if (c != '-') {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
