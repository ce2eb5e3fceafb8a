package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.journal.Op;
import org.junit.jupiter.api.Test;

class RecordMapperTest {
  @Test
  void eachOfTheEngineOperationCodesIsItsOperation() {
    assertThat(RecordMapper.opOf("c")).isEqualTo(Op.INSERT);
    assertThat(RecordMapper.opOf("u")).isEqualTo(Op.UPDATE);
    assertThat(RecordMapper.opOf("d")).isEqualTo(Op.DELETE);
    assertThat(RecordMapper.opOf("r")).isEqualTo(Op.READ);
    assertThat(RecordMapper.opOf("t")).isEqualTo(Op.TRUNCATE);
  }

  @Test
  void anOperationNamedInFullOrInCapitalsIsStillRead() {
    assertThat(RecordMapper.opOf("C")).isEqualTo(Op.INSERT);
    assertThat(RecordMapper.opOf("delete")).isEqualTo(Op.DELETE);
  }

  @Test
  void anUnknownOperationCodeFailsNamingIt() {
    assertThatThrownBy(() -> RecordMapper.opOf("m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'m' is not an operation");
    assertThatThrownBy(() -> RecordMapper.opOf(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'' is not an operation");
  }
}
