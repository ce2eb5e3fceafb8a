package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import dev.sluice.journal.ValueKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Journals written before arrays were kept as PostgreSQL's text hold them as lists of the element
 * kind's values (one dimension), and timetz in UTC ({@code 08:15:30.123456Z}): they are still
 * applied as they were.
 */
class LegacyValuesTest {
  private static final Column DATES =
      new Column("d", "date[]", ValueKind.ARRAY, ValueKind.DATE, -1, true, List.of());
  private static final Column INTS =
      new Column("i", "integer[]", ValueKind.ARRAY, ValueKind.INT32, -1, true, List.of());

  @Test
  void listArraysBecomeJsonArraysPostgresArraysAndMongoArrays() throws Exception {
    List<Object> days = Arrays.asList(20_412, null, Integer.MAX_VALUE);

    assertThat(SqlValues.jsonArray(days, DATES)).isEqualTo("[\"2025-11-20\",null,\"infinity\"]");
    assertThat(PostgresDialect.arrayLiteral(Arrays.asList(1, null, -3), ValueKind.INT32))
        .isEqualTo("{\"1\",NULL,\"-3\"}");
    assertThat(MongoValues.value(Arrays.asList(1, null, -3), INTS))
        .isEqualTo(Arrays.asList(1, null, -3));
  }

  @Test
  void listArraysAndUtcTimetzCompareWithWhatTargetsHold() {
    assertThat(Canonical.ofSource(Arrays.asList(1, null, -3), INTS, Dialect.SQLITE))
        .isEqualTo(Canonical.ofTarget("[1,null,-3]", INTS, Dialect.SQLITE));
    Column timetz = Column.of("t", "time with time zone", ValueKind.TIMETZ);
    assertThat(Canonical.ofSource("08:15:30.123456Z", timetz, Dialect.MYSQL))
        .isEqualTo(Canonical.ofTarget("10:15:30.123456+02", timetz, Dialect.MYSQL));
  }
}
