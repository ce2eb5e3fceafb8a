package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTableTest {
  @Test
  void everyMeasurementIsARowWithItsMedianRangeAndCount() {
    String table = ReportTable.format(ReportFixture.report(false));
    assertThat(table)
        .contains("| capture  | sluice         | rows/s |")
        .contains("| 45,000 |  40,000 – 50,000 | 3 |")
        .contains("| 95,000 | 90,000 – 100,000 | 3 |")
        .contains("4.25");
  }

  @Test
  void theRowsOfOneTableHaveOneWidth() {
    String table = ReportTable.format(ReportFixture.report(false));
    List<String> firstTable =
        Arrays.stream(table.split("\n\n")[0].split("\n")).filter(l -> l.startsWith("|")).toList();
    assertThat(firstTable).hasSize(5);
    assertThat(firstTable.stream().map(String::length).distinct()).hasSize(1);
  }

  @Test
  void ratiosArePrintedAgainstTheirBaseline() {
    String table = ReportTable.format(ReportFixture.report(false));
    assertThat(table).contains("| capture  | rows/s | pg_recvlogical |").contains("0.47×");
  }

  @Test
  void aWrongCountIsNamedInTheSummary() {
    assertThat(ReportTable.format(ReportFixture.report(false)))
        .contains("checks: 2 counts verified, all as expected");
    assertThat(ReportTable.format(ReportFixture.report(true)))
        .contains("checks: 1 of 2 counts WRONG")
        .contains("capture/sluice: rows journaled expected 1,000, found 999");
  }

  @Test
  void numbersGetThousandsSeparatorsOrDecimalsByTheirSize() {
    assertThat(ReportTable.number(1_234_567.8)).isEqualTo("1,234,568");
    assertThat(ReportTable.number(123.456)).isEqualTo("123.5");
    assertThat(ReportTable.number(1.23456)).isEqualTo("1.23");
  }
}
