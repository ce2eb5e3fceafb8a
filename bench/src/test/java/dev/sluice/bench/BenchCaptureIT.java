package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quick capture scenario end to end, against real PostgreSQL 17 clusters, the real
 * pg_recvlogical and the stock Debezium engine: the JSON result has the three sides' rates, their
 * counts equal the rows inserted, Sluice's and the stock engine's cost per million rows, and the
 * ratios. No timing is asserted.
 */
class BenchCaptureIT {
  @Test
  void theQuickCaptureScenarioReportsSaneFiguresForEverySide() throws Exception {
    StringWriter console = new StringWriter();
    Report report =
        BenchCommand.run(
            List.of(new CaptureScenario()),
            BenchSettings.quick(),
            true,
            "./sluice bench --quick --scenario capture",
            new PrintWriter(console, true));
    JsonNode root = new ObjectMapper().readTree(ReportJson.toJson(report));

    assertThat(root.get("notes")).as(console.toString()).isEmpty();
    int rows = root.get("settings").get("rows").asInt();
    assertThat(root.get("checks")).hasSize(3);
    for (JsonNode check : root.get("checks")) {
      assertThat(check.get("expected").asLong()).isEqualTo(rows);
      assertThat(check.get("actual").asLong()).isEqualTo(rows);
      assertThat(check.get("passed").asBoolean()).isTrue();
    }
    assertThat(root.get("measurements")).hasSize(7);
    for (JsonNode m : root.get("measurements")) {
      assertThat(m.get("scenario").asText()).isEqualTo("capture");
      assertThat(m.get("median").asDouble()).isPositive();
      assertThat(m.get("samples")).hasSize(1);
    }
    assertThat(root.get("measurements").findValuesAsText("subject"))
        .containsExactlyInAnyOrder(
            "sluice", "pg_recvlogical", "debezium", "sluice", "debezium", "sluice", "debezium");
    assertThat(root.get("measurements").findValuesAsText("metric"))
        .containsOnly("rows/s", CaptureScenario.CPU_METRIC, CaptureScenario.ALLOCATION_METRIC);
    assertThat(root.get("comparisons")).hasSize(4);
    for (JsonNode c : root.get("comparisons")) {
      assertThat(c.get("ratio").asDouble()).isPositive();
    }
    assertThat(console.toString()).contains("capture/sluice rows/s: median");
  }
}
