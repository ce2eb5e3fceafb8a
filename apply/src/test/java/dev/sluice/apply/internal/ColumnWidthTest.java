package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.apply.internal.ColumnWidth.Comparison;
import org.junit.jupiter.api.Test;

class ColumnWidthTest {
  private static Comparison change(String typeName, int size, int digits, String wanted) {
    return ColumnWidth.ofMetadata(typeName, size, digits).compare(ColumnWidth.ofDeclared(wanted));
  }

  @Test
  void intToBigintWidensTheColumnInEveryDialectsSpelling() {
    assertThat(change("int4", 10, 0, "bigint")).isEqualTo(Comparison.WIDER);
    assertThat(change("INT", 10, 0, "BIGINT")).isEqualTo(Comparison.WIDER);
    assertThat(change("serial", 10, 0, "bigint")).isEqualTo(Comparison.WIDER);
    assertThat(change("smallint", 5, 0, "INT")).isEqualTo(Comparison.WIDER);
  }

  @Test
  void aLongerVarcharOrTextWidensAShorterVarchar() {
    assertThat(change("varchar", 10, 0, "character varying(50)")).isEqualTo(Comparison.WIDER);
    assertThat(change("VARCHAR", 10, 0, "VARCHAR(50)")).isEqualTo(Comparison.WIDER);
    assertThat(change("VARCHAR", 10, 0, "LONGTEXT")).isEqualTo(Comparison.WIDER);
    assertThat(change("varchar", 10, 0, "text")).isEqualTo(Comparison.WIDER);
  }

  @Test
  void moreDecimalPrecisionWidensAndLessIntegerDigitsDoesNot() {
    assertThat(change("numeric", 10, 2, "numeric(12,2)")).isEqualTo(Comparison.WIDER);
    assertThat(change("DECIMAL", 10, 2, "DECIMAL(12,4)")).isEqualTo(Comparison.WIDER);
    assertThat(change("numeric", 10, 2, "numeric")).isEqualTo(Comparison.WIDER);
    assertThat(change("numeric", 10, 2, "numeric(10,4)")).isEqualTo(Comparison.NARROWER);
    assertThat(change("numeric", 0, 0, "numeric(12,2)")).isEqualTo(Comparison.NARROWER);
  }

  @Test
  void aNarrowerSourceTypeNeverNarrowsTheTarget() {
    assertThat(change("int8", 19, 0, "integer")).isEqualTo(Comparison.NARROWER);
    assertThat(change("VARCHAR", 50, 0, "VARCHAR(10)")).isEqualTo(Comparison.NARROWER);
    assertThat(change("text", Integer.MAX_VALUE, 0, "character varying(10)"))
        .isEqualTo(Comparison.NARROWER);
    assertThat(change("varchar", 10_485_760, 0, "character varying(10)"))
        .isEqualTo(Comparison.NARROWER);
  }

  @Test
  void sameWidthsAndOtherFamiliesAreLeftAlone() {
    assertThat(change("int8", 19, 0, "bigint")).isEqualTo(Comparison.SAME);
    assertThat(change("INTEGER", 2_000_000_000, 0, "INTEGER")).isEqualTo(Comparison.SAME);
    assertThat(change("int4", 10, 0, "text")).isEqualTo(Comparison.UNRELATED);
    assertThat(change("jsonb", 0, 0, "jsonb")).isEqualTo(Comparison.UNRELATED);
  }
}
