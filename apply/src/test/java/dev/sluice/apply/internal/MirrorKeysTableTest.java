package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorKeysTableTest {
  @Test
  void tablesWhoseNamesShareAStringHashCodeGetKeysTablesOfTheirOwn() {
    TargetTable aa = new TargetTable("public", "Aa");
    TargetTable bb = new TargetTable("public", "BB");
    assertThat(aa.toString().hashCode()).isEqualTo(bb.toString().hashCode());

    assertThat(SqlTarget.keysTableName(aa)).isNotEqualTo(SqlTarget.keysTableName(bb));
  }

  @Test
  void theNameIsStableAndFitsEveryDialectsIdentifierLimit() {
    for (TargetTable table :
        List.of(
            new TargetTable(null, "orders"),
            new TargetTable("public", "x".repeat(63)),
            new TargetTable("shop", "Order Items 𝄞"))) {
      String name = SqlTarget.keysTableName(table);
      assertThat(name).matches("sluice_mirror_[0-9a-f]{16}").hasSize(30);
      assertThat(SqlTarget.keysTableName(table)).isEqualTo(name);
    }
  }
}
