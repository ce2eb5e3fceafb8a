package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricNamesTest {
  @Test
  void aPlainNameGetsThePrefixAndUnderscores() {
    MetricNames.Parsed parsed = MetricNames.parse("capture.events");
    assertThat(parsed.family()).isEqualTo("sluice_capture_events");
    assertThat(parsed.labels()).isEmpty();
  }

  @Test
  void labelledNamesRoundTripEvenWithOddValues() {
    String name = MetricNames.labelled("rule.lag", "rule", "a,b=c}d\\e", "table", "public.\"X\"");
    assertThat(name).isEqualTo("rule.lag{rule=a\\,b\\=c\\}d\\\\e,table=public.\"X\"}");
    assertThat(MetricNames.parse(name).labels())
        .containsExactly(Map.entry("rule", "a,b=c}d\\e"), Map.entry("table", "public.\"X\""));
  }

  @Test
  void ruleAndReplicaNamesCarryTheirLabels() {
    assertThat(MetricNames.rule("apply.batches", "pg-to-mongo"))
        .isEqualTo("rule.apply.batches{rule=pg-to-mongo}");
    assertThat(MetricNames.replica("probe.failures", "app", "standby-1"))
        .isEqualTo("replica.probe.failures{group=app,node=standby-1}");
  }

  @Test
  void badLabelNamesAreRefused() {
    assertThatThrownBy(() -> MetricNames.labelled("x", "bad-label", "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MetricNames.parse("x{=v}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MetricNames.parse("x{a=v"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
