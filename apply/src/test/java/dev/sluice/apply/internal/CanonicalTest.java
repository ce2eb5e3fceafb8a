package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueKind;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import org.bson.Document;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;

class CanonicalTest {
  private static Column column(String type, ValueKind kind) {
    return Column.of("c", type, kind);
  }

  @Test
  void decimalsCompareByValue() {
    Column n = column("numeric", ValueKind.DECIMAL);

    assertThat(Canonical.ofSource("12.50", n, Dialect.MYSQL))
        .isEqualTo(Canonical.ofTarget(new BigDecimal("12.500000"), n, Dialect.MYSQL));
    assertThat(Canonical.ofTarget(new Decimal128(new BigDecimal("-0.10")), n, Dialect.MONGODB))
        .isEqualTo("-0.1");
    assertThat(Canonical.ofSource("NaN", n, Dialect.MONGODB))
        .isEqualTo(Canonical.ofTarget(Decimal128.NaN, n, Dialect.MONGODB));
    assertThat(Canonical.ofSource("0.000", n, Dialect.SQLITE)).isEqualTo("0");
  }

  @Test
  void jsonComparesByMeaning() {
    Column j = column("jsonb", ValueKind.JSON);

    assertThat(Canonical.ofSource("{\"b\": 1, \"a\": [2.50, null]}", j, Dialect.MONGODB))
        .isEqualTo(
            Canonical.ofTarget(
                Document.parse("{\"a\": [2.5, null], \"b\": 1}"), j, Dialect.MONGODB))
        .isEqualTo("{\"a\":[2.5,null],\"b\":1}");
  }

  @Test
  void intervalsWrittenEitherWayAreEqual() {
    assertThat(Canonical.interval("PT0S")).isEqualTo(Canonical.interval("P0Y0M0DT0H0M0S"));
    assertThat(Canonical.interval("P1Y2M3DT4H5M6.789S")).isEqualTo("P14M3DT14706.789S");
    assertThat(Canonical.interval("P-1D")).isEqualTo(Canonical.interval("P0Y0M-1DT0H0M0S"));
  }

  @Test
  void mongoTimestampsCompareAtMilliseconds() {
    Column ts = column("timestamp without time zone", ValueKind.TIMESTAMP);
    long micros = 1_763_634_600_123_456L;

    assertThat(Canonical.ofSource(micros, ts, Dialect.MONGODB))
        .isEqualTo(Canonical.ofTarget(new java.util.Date(1_763_634_600_123L), ts, Dialect.MONGODB));
    assertThat(Canonical.ofSource(micros, ts, Dialect.MYSQL))
        .isEqualTo(
            Canonical.ofTarget(
                LocalDateTime.parse("2025-11-20T10:30:00.123456"), ts, Dialect.MYSQL));
  }

  @Test
  void mysqlCharLosesTrailingSpacesOnBothSides() {
    Column ch = column("character(3)", ValueKind.TEXT);

    assertThat(Canonical.ofSource("ab ", ch, Dialect.MYSQL))
        .isEqualTo(Canonical.ofTarget("ab", ch, Dialect.MYSQL));
    assertThat(Canonical.ofSource("ab ", ch, Dialect.POSTGRESQL)).isEqualTo("ab ");
  }

  @Test
  void arraysStoredAsJsonCompareWithTheSourceList() {
    Column ia = new Column("c", "integer[]", ValueKind.ARRAY, ValueKind.INT32, -1, true, List.of());

    assertThat(Canonical.ofSource(java.util.Arrays.asList(1, null, -3), ia, Dialect.SQLITE))
        .isEqualTo(Canonical.ofTarget("[1,null,-3]", ia, Dialect.SQLITE));
  }

  @Test
  void keysOrderNumbersByValueAndTextByCodePoint() {
    Column id = column("integer", ValueKind.INT32);
    Column name = column("text", ValueKind.TEXT);

    assertThat(Canonical.compareKeys(List.of("9"), List.of("10"), List.of(id))).isNegative();
    assertThat(Canonical.compareKeys(List.of("\uffff"), List.of("😀"), List.of(name))).isNegative();
    assertThat(Canonical.compareKeys(List.of("a"), List.of("B"), List.of(name))).isPositive();
  }
}
