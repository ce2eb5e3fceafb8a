package dev.sluice.capture.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import io.debezium.util.Strings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EnginePropertiesTest {
  private static final List<TableName> TABLES =
      List.of(
          new TableName("public", "orders"),
          new TableName("public", "a,b"),
          new TableName("we\\,ird", "back\\slash"),
          new TableName("public", "ends with \\"),
          new TableName("public", "\\E quoted \\Q"),
          new TableName("Ünï", "cødé 𝄞 \"x\""),
          new TableName("public", "dots.in.name"),
          new TableName("public", "x|y(*)"));

  @Test
  void theIncludeListMatchesEachTableExactlyAsTheEngineSplitsIt() {
    SourceConfig source =
        new SourceConfig(
            "jdbc:postgresql://127.0.0.1:5432/app",
            "sluice",
            null,
            "sluice",
            "sluice",
            List.of(),
            SnapshotMode.INITIAL,
            Duration.ZERO);
    Properties properties =
        EngineProperties.of(
            source,
            TABLES,
            Path.of("offsets"),
            EngineProperties.Tuning.DEFAULT,
            java.util.Map.of());

    // what the engine does with table.include.list: split it, then match "schema.table"
    Set<Pattern> patterns = Strings.setOfRegex(properties.getProperty("table.include.list"));

    assertThat(patterns).hasSameSizeAs(TABLES);
    for (TableName table : TABLES) {
      String id = table.schema() + "." + table.name();
      assertThat(patterns.stream().filter(p -> p.matcher(id).matches()))
          .as("patterns matching %s", id)
          .hasSize(1);
    }
    for (String other :
        List.of("public.a", "public.b", "public.dots_in_name", "public.xy", "public.x")) {
      assertThat(patterns).noneMatch(p -> p.matcher(other).matches());
    }
  }
}
