package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BidirectionalConfigTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of());

  private static final String HEAD =
      "source: { url: jdbc:postgresql://10.0.0.1/app }\n"
          + "targets:\n"
          + "  b: { url: jdbc:postgresql://10.0.0.2/app }\n"
          + "  shop: { url: jdbc:mariadb://127.0.0.1:3306/shop }\n";

  private SluiceConfig parse(String rules) {
    return loader.parse(HEAD + rules, "sluice.yaml", Path.of("/etc/sluice"), null);
  }

  private List<String> problems(String rules) {
    try {
      parse(rules);
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @Test
  void aBidirectionalRuleNamesItsOwnNodeAndThePeerByItsTarget() {
    SluiceConfig config =
        parse("rules: [ { name: to-b, target: b, mode: bidirectional, node: a } ]\n");
    RuleConfig rule = config.rules().get(0);
    assertThat(rule.isBidirectional()).isTrue();
    assertThat(rule.node()).isEqualTo("a");
    assertThat(rule.conflict()).isEqualTo(ConflictPolicy.LAST_UPDATE_WINS);
    assertThat(rule.target()).isEqualTo("b");
    assertThat(ConfigPrinter.toYaml(config)).contains("mode: bidirectional").contains("node: a");
  }

  @Test
  void aBidirectionalRuleWithoutANodeNameIsRefusedWithAnExample() {
    assertThat(problems("rules: [ { name: to-b, target: b, mode: bidirectional } ]\n"))
        .singleElement()
        .asString()
        .contains("rules[0]")
        .contains("needs 'node'")
        .contains("node: a on one side and node: b on the other");
  }

  @Test
  void theNodeNameMustDifferFromThePeersName() {
    assertThat(problems("rules: [ { name: to-b, target: b, mode: bidirectional, node: b } ]\n"))
        .singleElement()
        .asString()
        .contains("rules[0].node")
        .contains("is the peer's name");
  }

  @Test
  void aPeerThatIsNotPostgresqlAndAConflictPolicyAreBothReportedAtOnce() {
    assertThat(
            problems(
                "rules: [ { name: to-shop, target: shop, mode: bidirectional, node: \"a'1\","
                    + " conflict: newer-wins } ]\n"))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("needs a PostgreSQL peer; 'shop' is mysql"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("rules[0].conflict")
                    .contains("newer-wins cannot keep both sides equal"))
        .anySatisfy(p -> assertThat(p).contains("'a'1' is not a valid name"));
  }

  @Test
  void aNodeNameOnAnotherModeIsRefused() {
    assertThat(problems("rules: [ { name: to-b, target: b, mode: cdc, node: a } ]\n"))
        .singleElement()
        .asString()
        .contains("rules[0].node")
        .contains("this rule's mode is cdc");
  }

  @Test
  void aSecondBidirectionalRuleIsRefused() {
    assertThat(
            problems(
                "rules:\n"
                    + "  - { name: to-b, target: b, mode: bidirectional, node: a }\n"
                    + "  - { name: to-b2, target: b, mode: bidirectional, node: a }\n"))
        .singleElement()
        .asString()
        .contains("rules[1].mode")
        .contains("at most one bidirectional rule");
  }

  @Test
  void lastUpdateWinsIsRefusedOnACdcRule() {
    assertThat(problems("rules: [ { name: to-b, target: b, conflict: last-update-wins } ]\n"))
        .singleElement()
        .asString()
        .contains("rules[0].conflict")
        .contains("last-update-wins is for bidirectional rules");
  }

  @Test
  void renameAndExcludedColumnsAreRefusedOnABidirectionalRule() {
    assertThat(
            problems(
                "rules: [ { name: to-b, target: b, mode: bidirectional, node: a,"
                    + " rename: { public.t: u }, excludeColumns: { public.t: [secret] } } ]\n"))
        .hasSize(2)
        .allSatisfy(p -> assertThat(p).contains("keeps both sides' tables alike"))
        .anySatisfy(p -> assertThat(p).contains("rules[0].rename"))
        .anySatisfy(p -> assertThat(p).contains("rules[0].excludeColumns"));
  }

  @Test
  void otherModesHaveNoNode() {
    SluiceConfig config = parse("rules: [ { name: to-b, target: b } ]\n");
    assertThat(config.rules().get(0).node()).isNull();
    assertThat(config.rules().get(0).isBidirectional()).isFalse();
  }
}
