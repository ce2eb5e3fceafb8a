package dev.sluice.stream.internal;

import dev.sluice.config.TableName;
import java.nio.charset.StandardCharsets;

/**
 * Subject names: {@code <prefix>.<schema>.<table>}, or {@code <prefix>.<rename>} where the rule
 * renames the table (its dots separate tokens). A token keeps letters, digits, {@code _} and {@code
 * -}; every other byte of its UTF-8 form is written {@code %XX} (so {@code "Odd Name"} is {@code
 * Odd%20Name}), which keeps wildcards, dots and spaces out of a token.
 */
public final class Subjects {
  private Subjects() {}

  public static String of(String prefix, TableName table, String renamed) {
    StringBuilder subject = new StringBuilder(prefix);
    if (renamed != null) {
      for (String token : renamed.split("\\.", -1)) {
        subject.append('.').append(token(token));
      }
    } else {
      subject.append('.').append(token(table.schema())).append('.').append(token(table.name()));
    }
    return subject.toString();
  }

  /** A table as header text: {@code <schema token>.<name token>}, see {@link #table(String)}. */
  public static String header(TableName table) {
    return token(table.schema()) + "." + token(table.name());
  }

  /** The table of {@link #header(TableName)}. */
  public static TableName table(String header) {
    int dot = header.indexOf('.');
    return new TableName(decode(header.substring(0, dot)), decode(header.substring(dot + 1)));
  }

  private static String decode(String token) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(token.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  static String token(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.length() == 0 ? "%" : out.toString();
  }
}
