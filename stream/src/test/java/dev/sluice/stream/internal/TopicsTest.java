package dev.sluice.stream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void namesKeepLettersDigitsAndUnderscoresAndEscapeEveryOtherByteIncludingDashAndDot() {
    assertThat(Topics.of("sluice", new TableName("public", "order_items"), null))
        .isEqualTo("sluice.public.order_items");
    assertThat(Topics.of("sluice", new TableName("public", "order-lines"), null))
        .isEqualTo("sluice.public.order-2Dlines");
    assertThat(Topics.of("p", new TableName("Odd Schema", "a.b \"\uD83D\uDE00\""), null))
        .isEqualTo("p.Odd-20Schema.a-2Eb-20-22-F0-9F-98-80-22")
        .matches("[a-zA-Z0-9._-]+");
  }

  @Test
  void aRenameSplitsAtItsDotsAndEachPartIsEscaped() {
    assertThat(Topics.of("cdc.v1", new TableName("public", "users"), "crm.the accounts"))
        .isEqualTo("cdc.v1.crm.the-20accounts");
  }

  @Test
  void everyPartReadsBackToTheNameItCameFrom() {
    for (String name :
        new String[] {"order-lines", "a.b", "Odd \"Name\" \uD83D\uDE00", "-2D", "_"}) {
      String topic = Topics.of("p", new TableName("s", name), null);
      assertThat(Topics.decode(topic.substring("p.s.".length()))).isEqualTo(name);
    }
  }

  @Test
  void aTableWhoseTopicExceedsKafkasLimitIsNamedLongerThanTheLimit() {
    String topic = Topics.of("sluice", new TableName("public", "\uD83D\uDE00".repeat(20)), null);
    assertThat(topic.length()).isGreaterThan(Topics.MAX_LENGTH);
  }
}
