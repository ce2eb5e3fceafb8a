package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgFloatTest {
  @Test
  void doublesArePrintedAsPostgresPrintsThem() {
    assertThat(PgFloat.format(1.5)).isEqualTo("1.5");
    assertThat(PgFloat.format(-0.0)).isEqualTo("-0");
    assertThat(PgFloat.format(0.0)).isEqualTo("0");
    assertThat(PgFloat.format(1e300)).isEqualTo("1e+300");
    assertThat(PgFloat.format(1e15)).isEqualTo("1e+15");
    assertThat(PgFloat.format(1e14)).isEqualTo("100000000000000");
    assertThat(PgFloat.format(0.0001)).isEqualTo("0.0001");
    assertThat(PgFloat.format(0.00001)).isEqualTo("1e-05");
    assertThat(PgFloat.format(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(PgFloat.format(-2.25e-300)).isEqualTo("-2.25e-300");
    assertThat(PgFloat.format(Double.NaN)).isEqualTo("NaN");
    assertThat(PgFloat.format(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(PgFloat.format(Double.MIN_VALUE)).isEqualTo("5e-324");
    assertThat(PgFloat.format(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
  }
}
