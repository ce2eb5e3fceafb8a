package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets never leave the configuration unmasked, and a secret cannot change a URL's meaning. */
class SecretsInConfigTest {
  private static final String PASSWORD = "p@ss/w:rd&host=evil";
  private static final Map<String, String> ENV =
      Map.of(
          "PW", PASSWORD,
          "DATABASE_URL", "jdbc:postgresql://db.internal:5432/app_copy?user=app&password=x",
          "DB_HOST", "db.internal",
          "SLUICE_TOKEN", "tok-Secret-99");

  private static SluiceConfig load(String yaml) {
    return new ConfigLoader(ENV).parse(yaml, "sluice.yaml", Path.of("/etc/sluice"), null);
  }

  @Test
  void aPasswordWithAnUnencodedAtSlashOrColonIsMaskedWhole() {
    for (String url :
        List.of(
            "postgres://app:p@ss/w:rd@db.example:5432/app",
            "mongodb://app:p@ss/w:rd@m1:27017,m2:27017/analytics?authSource=admin",
            "jdbc:postgresql://db.example/app?user=app&password=p@ss/w:rd")) {
      String masked = Masking.maskUrl(url);
      assertThat(masked).as(url).contains(Secret.MASK).doesNotContain("ss/w").doesNotContain("rd@");
    }
    assertThat(Masking.maskUrl("postgres://app:p@ss/w:rd@db.example:5432/app"))
        .isEqualTo("postgres://app:<masked>@db.example:5432/app");
  }

  @Test
  void aVariableInsideAUrlsUserInformationOrQueryIsPercentEncodedSoItStaysOneValue() {
    SluiceConfig config =
        load(
            """
            source: { url: "jdbc:postgresql://${DB_HOST}:5432/app?user=app&password=${PW}" }
            targets:
              docs: { url: "mongodb://app:${PW}@10.0.0.5:27017/analytics" }
              whole: { url: "${DATABASE_URL}" }
            rules:
              - { name: to-docs, target: docs }
              - { name: to-whole, target: whole }
            """);

    assertThat(config.source().url())
        .isEqualTo(
            "jdbc:postgresql://db.internal:5432/app?user=app&password=p%40ss%2Fw%3Ard%26host%3Devil");
    assertThat(config.targets().get("docs").url())
        .isEqualTo("mongodb://app:p%40ss%2Fw%3Ard%26host%3Devil@10.0.0.5:27017/analytics");
    assertThat(config.targets().get("whole").url()).isEqualTo(ENV.get("DATABASE_URL"));
  }

  @Test
  void theRecordsOfTheConfigurationPrintTheirUrlsMasked() {
    SluiceConfig config =
        load(
            """
            source: { url: "jdbc:postgresql://db/app?password=hunter2-Src" }
            targets:
              docs: { url: "mongodb://app:hunter2-Tgt@m1:27017/analytics" }
            rules:
              - { name: to-docs, target: docs }
            replicas:
              app:
                nodes:
                  - { name: primary, role: master, url: "jdbc:postgresql://db/app?password=hunter2-Node" }
            """);

    assertThat(config.source().toString()).contains(Secret.MASK).doesNotContain("hunter2");
    assertThat(config.source().parsedUrl().toString())
        .contains("password=" + Secret.MASK)
        .doesNotContain("hunter2");
    assertThat(config.targets().get("docs").toString())
        .contains(Secret.MASK)
        .doesNotContain("hunter2");
    assertThat(config.replicas().get("app").nodes().get(0).toString())
        .contains(Secret.MASK)
        .doesNotContain("hunter2");
  }

  @Test
  void aProblemWithAValueFromTheEnvironmentNamesTheVariableNotItsValue() {
    List<ConfigProblem> problems;
    try {
      load(
          """
          source: { url: "jdbc:postgresql://db/app" }
          monitor: { port: "${SLUICE_TOKEN}", poll: "${PW}" }
          """);
      throw new AssertionError("the configuration was accepted");
    } catch (ConfigException e) {
      problems = e.problems();
    }

    assertThat(problems).hasSize(2);
    assertThat(problems.toString())
        .contains("${SLUICE_TOKEN}")
        .contains("${PW}")
        .doesNotContain("tok-Secret-99")
        .doesNotContain("ss/w");
  }

  @Test
  void aDurationFromTheEnvironmentStillWorks() {
    SluiceConfig config =
        new ConfigLoader(Map.of("POLL", "250ms"))
            .parse(
                "source: { url: \"jdbc:postgresql://db/app\" }\nmonitor: { poll: \"${POLL}\" }",
                "sluice.yaml",
                Path.of("/"),
                null);
    assertThat(config.monitor().poll()).isEqualTo(Duration.ofMillis(250));
  }
}
