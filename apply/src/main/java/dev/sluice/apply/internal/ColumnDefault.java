package dev.sluice.apply.internal;

import dev.sluice.journal.Column;
import java.math.BigDecimal;

/**
 * The value that rows existing before a column was added have in it (see {@link
 * Column#defaultText()}), as a journal value, for targets that need it in their own form (MySQL,
 * SQLite, MongoDB; PostgreSQL takes PostgreSQL's text form as it is). Known for booleans, integers,
 * floats, decimals, text, enums and uuids; for other kinds, and values a target cannot hold (NaN),
 * it is not known here.
 */
final class ColumnDefault {
  private ColumnDefault() {}

  /** The journal value of the column's default, or null when it has none or it is not known. */
  static Object value(Column column) {
    String text = column.defaultText();
    if (text == null) {
      return null;
    }
    try {
      return switch (column.kind()) {
        case BOOLEAN -> text.equals("t") || text.equals("true");
        case INT16 -> Short.parseShort(text);
        case INT32 -> Integer.parseInt(text);
        case INT64 -> Long.parseLong(text);
        case FLOAT32, FLOAT64 -> finite(Double.parseDouble(text));
        case DECIMAL -> new BigDecimal(text).toPlainString();
        case TEXT, ENUM, UUID -> text;
        default -> null;
      };
    } catch (NumberFormatException e) {
      return null; // NaN, money with its currency sign: not a plain number
    }
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** A SQL string literal with doubled quotes. */
  static String quoted(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
