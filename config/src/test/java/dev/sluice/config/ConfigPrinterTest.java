package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigPrinterTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of("PW", "hunter2", "TOKEN", "t0ken"));

  @Test
  void theEffectiveConfigurationMasksEverySecretAndReadsBack() {
    String yaml =
        """
        source: { url: "jdbc:postgresql://db:5432/app?password=inurl", password: "${PW}", tables: ["inventory.*", "public.\\"Odd Name\\""] }
        targets:
          mongo: { url: "mongodb://app:hunter2@m:27017/a" }
          pg: { url: "jdbc:postgresql://t/app", user: u, password: "${PW}" }
        rules:
          - { name: r1, target: pg, rename: { public.users: people }, excludeColumns: { public.users: [secret] } }
        replicas:
          app:
            nodes:
              - { name: p, role: master, url: "jdbc:postgresql://a/app", password: "${PW}" }
              - { name: s, role: slave, fedBy: r1, lagTolerance: 16MB }
        monitor: { token: "${TOKEN}" }
        """;
    SluiceConfig config = loader.parse(yaml, "a.yaml", Path.of("/srv"), null);

    String printed = ConfigPrinter.toYaml(config);

    assertThat(printed).doesNotContain("hunter2").doesNotContain("t0ken").doesNotContain("inurl");
    assertThat(printed)
        .contains("password: <masked>")
        .contains("token: <masked>")
        .contains("heartbeat: 10s");
    SluiceConfig reread =
        new ConfigLoader(Map.of())
            .parse(printed.replace("<masked>", "x"), "printed.yaml", Path.of("/srv"), null);
    assertThat(reread.rules()).isEqualTo(config.rules());
    assertThat(reread.source().tables()).isEqualTo(config.source().tables());
    assertThat(reread.replicas().get("app").nodes().get(1).lagTolerance())
        .isEqualTo(LagTolerance.parse("16MB"));
    assertThat(reread.journal()).isEqualTo(config.journal());
  }
}
