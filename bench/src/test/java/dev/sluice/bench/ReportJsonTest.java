package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theJsonHoldsEverySampleWithItsMedianAndRange() throws Exception {
    JsonNode root = JSON.readTree(ReportJson.toJson(ReportFixture.report(false)));
    JsonNode first = root.get("measurements").get(0);
    assertThat(first.get("scenario").asText()).isEqualTo("capture");
    assertThat(first.get("subject").asText()).isEqualTo("sluice");
    assertThat(first.get("metric").asText()).isEqualTo("rows/s");
    assertThat(first.get("higherIsBetter").asBoolean()).isTrue();
    assertThat(first.get("median").asDouble()).isEqualTo(45_000.0);
    assertThat(first.get("min").asDouble()).isEqualTo(40_000.0);
    assertThat(first.get("max").asDouble()).isEqualTo(50_000.0);
    assertThat(first.get("samples")).hasSize(3);
  }

  @Test
  void theJsonHoldsTheRatiosChecksMachineSettingsAndNotes() throws Exception {
    JsonNode root = JSON.readTree(ReportJson.toJson(ReportFixture.report(true)));
    assertThat(root.get("mode").asText()).isEqualTo("full");
    assertThat(root.get("command").asText()).isEqualTo("./sluice bench");
    assertThat(root.get("started").asText()).isEqualTo("2026-11-22T07:00:00Z");
    assertThat(root.get("machine").get("cpus").asInt()).isEqualTo(2);
    assertThat(root.get("machine").get("cpuModel").asText()).isEqualTo("AMD EPYC");
    assertThat(root.get("settings").get("rows").asInt()).isEqualTo(1_000_000);
    assertThat(root.get("settings").get("repetitions").asInt()).isEqualTo(3);
    JsonNode ratio = root.get("comparisons").get(0);
    assertThat(ratio.get("baseline").asText()).isEqualTo("pg_recvlogical");
    assertThat(ratio.get("ratio").asDouble())
        .isCloseTo(45.0 / 95.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(root.get("checks").get(0).get("passed").asBoolean()).isFalse();
    assertThat(root.get("checks").get(0).get("actual").asLong()).isEqualTo(999);
    assertThat(root.get("notes").get(0).asText()).isEqualTo("targets: no real MongoDB");
  }

  @Test
  void writingReplacesTheFileWithTheWholeReport(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("out/results.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "old");
    ReportJson.write(ReportFixture.report(false), file);
    assertThat(JSON.readTree(file.toFile()).get("measurements")).hasSize(3);
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }
}
