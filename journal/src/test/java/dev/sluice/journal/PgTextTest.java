package dev.sluice.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgTextTest {
  @Test
  void datesRoundTripOverPostgresWholeRangeWithItsEra() {
    for (String text :
        List.of(
            "2026-11-20",
            "0001-01-01",
            "0001-12-31 BC",
            "0044-03-15 BC",
            "4713-01-01 BC",
            "0001-02-29 BC", // astronomical year 0 is a leap year
            "9999-12-31",
            "10000-01-01",
            "5874897-12-31",
            "infinity",
            "-infinity")) {
      assertThat(PgText.date(PgText.parseDate(text))).as(text).isEqualTo(text);
    }
    assertThat(PgText.parseDate("0044-03-15 BC"))
        .isEqualTo((int) LocalDate.of(-43, 3, 15).toEpochDay());
    assertThatThrownBy(() -> PgText.parseDate("0001-02-29")).hasMessageContaining("0001-02-29");
  }

  @Test
  void timesKeepMicrosecondsAndTheEndOfTheDay() {
    for (String text :
        List.of("00:00:00", "12:00:00.5", "23:59:59.999999", "24:00:00", "10:15:30.000001")) {
      assertThat(PgText.time(PgText.parseTime(text))).as(text).isEqualTo(text);
    }
    assertThat(PgText.parseTime("24:00:00")).isEqualTo(86_400_000_000L);
    assertThatThrownBy(() -> PgText.parseTime("24:00:01")).hasMessageContaining("24:00:01");
  }

  @Test
  void timestampsCoverPostgresWholeRangeWhichALongOfUnixMicrosecondsDoesNot() {
    for (String text :
        List.of(
            "2026-11-20 10:15:30.123456",
            "4713-01-01 00:00:00 BC",
            "0044-03-15 10:00:00 BC",
            "294276-12-31 23:59:59.999999",
            "1970-01-01 00:00:00")) {
      assertThat(PgText.timestamp(PgText.parseTimestamp(text), false)).as(text).isEqualTo(text);
    }
    long max = PgText.parseTimestamp("294276-12-31 23:59:59.999999");
    assertThat(PgText.unixMicros(max)).as("beyond a long of unix microseconds").isNull();
    assertThat(PgText.unixMicros(PgText.parseTimestamp("1970-01-01 00:00:00"))).isZero();
    assertThat(PgText.parseTimestamp("infinity")).isEqualTo(Long.MAX_VALUE);
    assertThat(PgText.unixMicros(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void offsetsWithSecondsAndBcTimestampsWithZonesAreRead() {
    assertThat(PgText.parseTimestamp("2026-01-01 10:00:00+05:30:15"))
        .isEqualTo(PgText.parseTimestamp("2026-01-01 04:29:45+00"));
    assertThat(PgText.timestamp(PgText.parseTimestamp("0044-03-15 10:00:00+02 BC"), true))
        .isEqualTo("0044-03-15 08:00:00+00 BC");
  }

  @Test
  void intervalsArePrintedAsPostgresDoesInIso8601() {
    assertThat(PgText.isoInterval(0, 0, 0)).isEqualTo("PT0S");
    assertThat(PgText.isoInterval(14, 3, 14_706_789_000L)).isEqualTo("P1Y2M3DT4H5M6.789S");
    assertThat(PgText.isoInterval(10, 3, -14_706_000_001L)).isEqualTo("P10M3DT-4H-5M-6.000001S");
    assertThat(PgText.isoInterval(-2_147_483_648, -2_147_483_648, Long.MIN_VALUE + 1))
        .isEqualTo("P-178956970Y-8M-2147483648DT-2562047788H-54.775807S");
  }

  @Test
  void arrayElementsAreReadAsTheirKindsValues() {
    assertThat(PgText.value("t", ValueKind.BOOLEAN)).isEqualTo(true);
    assertThat(PgText.value("-0", ValueKind.FLOAT64)).isEqualTo(-0.0);
    assertThat(PgText.value("NaN", ValueKind.FLOAT32)).isEqualTo(Float.NaN);
    assertThat((byte[]) PgText.value("\\x00ff", ValueKind.BYTES)).containsExactly(0, 255);
    assertThat(PgText.value("294276-12-31 23:59:59.999999+00", ValueKind.TIMESTAMPTZ))
        .isEqualTo("294276-12-31 23:59:59.999999+00");
    assertThat(
            PgText.format(
                Arrays.asList(1, null),
                new Column(
                    "a", "integer[]", ValueKind.ARRAY, ValueKind.INT32, -1, true, List.of())))
        .isEqualTo("{\"1\",NULL}");
  }

  @Test
  void arraysKeepDimensionsNullsBoundsAndQuoting() {
    PgArrayText bounded = PgArrayText.parse("[0:2]={1,2,3}", ',');
    assertThat(bounded.lowerBounds()).containsExactly(0);
    assertThat(bounded.elements()).containsExactly("1", "2", "3");

    PgArrayText nested = PgArrayText.parse("{{1,2},{3,NULL}}", ',');
    assertThat(nested.dimensions()).isEqualTo(2);
    assertThat(nested.elements()).containsExactly(List.of("1", "2"), Arrays.asList("3", null));

    PgArrayText quoted = PgArrayText.parse("{\"a \\\"b\\\"\",\"NULL\",NULL,\"\",\"c\\\\d\"}", ',');
    assertThat(quoted.elements()).containsExactly("a \"b\"", "NULL", null, "", "c\\d");
    assertThat(PgArrayText.parse(PgArrayText.format(quoted.elements(), null, ','), ','))
        .isEqualTo(quoted);

    PgArrayText boxes = PgArrayText.parse("{(3,4),(1,2);(1,1),(0,0)}", ';');
    assertThat(boxes.elements()).containsExactly("(3,4),(1,2)", "(1,1),(0,0)");
    assertThat(PgArrayText.parse("{}", ',').elements()).isEmpty();
    assertThat(PgArrayText.format(bounded.elements(), bounded.lowerBounds(), ','))
        .isEqualTo("[0:2]={\"1\",\"2\",\"3\"}");
    assertThatThrownBy(() -> PgArrayText.parse("{1,2", ',')).hasMessageContaining("{1,2");
  }
}
