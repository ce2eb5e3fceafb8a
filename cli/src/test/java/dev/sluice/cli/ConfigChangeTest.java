package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.config.SluiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChangeTest {
  private static final String BASE =
      """
      source: { url: "jdbc:postgresql://db/app", password: "s3cret-src", tables: [public.orders] }
      targets:
        a: { url: "jdbc:postgresql://other/a", password: "s3cret-a" }
        b: { url: "jdbc:sqlite:b.db" }
      rules:
        - { name: to-a, target: a }
        - { name: to-b, target: b }
      replicas:
        app:
          nodes:
            - { name: primary, role: master, url: "jdbc:postgresql://db/app" }
            - { name: one, role: slave, url: "jdbc:postgresql://db2/app", lagTolerance: 5s }
            - { name: fed, role: slave, fedBy: to-a }
      """;

  private static SluiceConfig parse(String yaml) {
    return new ConfigLoader(Map.of()).parse(yaml, "sluice.yaml", Path.of("/etc/sluice"), null);
  }

  @Test
  void theSameFileChangesNothing() {
    assertThat(ConfigChange.between(parse(BASE), parse(BASE)).isEmpty()).isTrue();
  }

  @Test
  void rulesNodesAndRoutingAreAddedRemovedAndChangedByName() {
    String next =
        BASE.replace("- { name: to-b, target: b }", "- { name: to-c, target: b }")
            .replace("- { name: to-a, target: a }", "- { name: to-a, target: a, mode: mirror }")
            .replace("lagTolerance: 5s", "lagTolerance: 16MB")
            .replace(
                "- { name: fed, role: slave, fedBy: to-a }",
                "- { name: two, role: slave, url: \"jdbc:postgresql://db3/app\" }")
            .replace("  app:\n", "  app:\n    routing: random\n    hysteresis: 1s\n");
    ConfigChange change = ConfigChange.between(parse(BASE), parse(next));

    assertThat(change.refused()).isEmpty();
    assertThat(change.lines())
        .containsExactly(
            "rule to-b removed",
            "rule to-a changed (mode cdc -> mirror)",
            "rule to-c added",
            "replica app/fed removed",
            "replica app/one changed",
            "replica app/two added",
            "replicas.app.routing: random",
            "replicas.app.hysteresis: 1s");
    assertThat(change.groups().get("app").routing()).isEqualTo(RoutingStrategy.RANDOM);
    assertThat(change.groups().get("app").hysteresis()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aTargetsNewPasswordRestartsItsRulesWithoutPrintingIt() {
    ConfigChange change =
        ConfigChange.between(parse(BASE), parse(BASE.replace("s3cret-a", "n3w-s3cret")));
    assertThat(change.lines()).containsExactly("rule to-a changed (target a's settings)");
    assertThat(change.toString()).doesNotContain("n3w-s3cret").doesNotContain("s3cret-a");
  }

  @Test
  void keysThatCannotChangeAtRunTimeAreEachNamedAndSecretsAreNotShown() {
    String next =
        BASE.replace(
                    "jdbc:postgresql://db/app\", password: \"s3cret-src\"",
                    "jdbc:postgresql://db9/app\", password: \"other-pw\", slot: s2")
                .replace("jdbc:postgresql://db/app\" }", "jdbc:postgresql://db9/app\" }")
            + "journal: { dir: /var/j }\nmonitor: { port: 15000 }\n";
    ConfigChange change = ConfigChange.between(parse(BASE), parse(next));

    assertThat(change.refused())
        .containsExactly(
            "source.url needs a restart",
            "source.password needs a restart",
            "source.slot needs a restart (running: sluice, in the file: s2)",
            "journal.dir needs a restart (running: /etc/sluice/sluice-journal, in the file: /var/j)",
            "monitor.port needs a restart (running: 14499, in the file: 15000)",
            "replicas.app: changing the master primary needs a restart");
    assertThat(String.join("\n", change.refused())).doesNotContain("other-pw");
  }

  @Test
  void widenedOrNarrowedSourceTablesRestartCapture() {
    ConfigChange change =
        ConfigChange.between(
            parse(BASE), parse(BASE.replace("tables: [public.orders]", "tables: [\"public.*\"]")));
    assertThat(change.tablesChanged()).isTrue();
    assertThat(change.lines())
        .containsExactly("source.tables changed: capture restarts with the new list");
  }
}
