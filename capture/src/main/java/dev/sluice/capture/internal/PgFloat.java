package dev.sluice.capture.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A {@code double} as PostgreSQL 12 and later print it: the fewest digits that read back as the
 * same value, in positional notation when the decimal exponent is from -4 to 14, else as {@code
 * 1e+300} / {@code 1e-05}; {@code NaN}, {@code Infinity}, {@code -Infinity}, {@code -0}. Used for
 * geometric values, which the engine hands over as doubles. Stateless.
 */
final class PgFloat {
  private PgFloat() {}

  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    BigDecimal exact = new BigDecimal(value);
    BigDecimal shortest = exact;
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == value) {
        shortest = rounded;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - shortest.scale();
    String sign = shortest.signum() < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 15) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String power = Integer.toString(Math.abs(exponent));
      return sign
          + mantissa
          + "e"
          + (exponent < 0 ? "-" : "+")
          + (power.length() < 2 ? "0" : "")
          + power;
    }
    return sign + shortest.abs().toPlainString();
  }
}
