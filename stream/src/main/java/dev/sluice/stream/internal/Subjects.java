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
