package dev.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two promotions of different standbys of one group at the same time, as two {@code sluice promote}
 * commands would run them (two topologies over one roles file): one promotes, the other waits for
 * it, sees that the master changed, and refuses, having changed nothing. {@code
 * -Dsluice.test.promoteRounds=N} runs N rounds, each with a new primary and two new standbys.
 */
class ConcurrentPromotionIT {
  @TempDir Path dir;

  @Test
  void twoConcurrentPromotionsLeaveExactlyOneMasterAndTheOtherIsRefusedClearly() throws Exception {
    int rounds = Integer.getInteger("sluice.test.promoteRounds", 1);
    for (int round = 1; round <= rounds; round++) {
      race(round);
    }
  }

  private void race(int round) throws Exception {
    try (PostgresCluster primary = PostgresCluster.start("race-primary");
        PostgresCluster one = primary.cloneStandby("race-one");
        PostgresCluster two = primary.cloneStandby("race-two")) {
      SluiceConfig config =
          Clusters.config(
              Files.createDirectories(dir.resolve("round-" + round)),
              primary,
              """
              replicas:
                app:
                  nodes:
                    - { name: primary, role: master, url: "%s" }
                    - { name: one, role: slave, url: "%s", lagTolerance: 16MB }
                    - { name: two, role: slave, url: "%s", lagTolerance: 16MB }
              """
                  .formatted(primary.jdbcUrl(), one.jdbcUrl(), two.jdbcUrl()));
      Map<String, PostgresCluster> nodes = Map.of("primary", primary, "one", one, "two", two);
      try (Topology first = oneShot(config);
          Topology second = oneShot(config)) {
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Object> promoteOne = promote(first, "one", together);
        CompletableFuture<Object> promoteTwo = promote(second, "two", together);
        List<Object> outcomes =
            List.of(promoteOne.get(3, TimeUnit.MINUTES), promoteTwo.get(3, TimeUnit.MINUTES));

        List<PromotionResult> promoted = new ArrayList<>();
        List<Throwable> refused = new ArrayList<>();
        for (Object outcome : outcomes) {
          if (outcome instanceof PromotionResult result) {
            promoted.add(result);
          } else {
            refused.add((Throwable) outcome);
          }
        }
        assertThat(promoted).as("round %d: promotions that went through", round).hasSize(1);
        String winner = promoted.get(0).node();
        String loser = winner.equals("one") ? "two" : "one";
        assertThat(refused)
            .singleElement()
            .isInstanceOf(TopologyException.class)
            .extracting(Throwable::getMessage)
            .asString()
            .startsWith("refusing to promote " + loser + ": the master of group app changed to ")
            .contains(winner + " (was primary) while this waited for another promotion or rejoin")
            .contains("nothing was done");
        assertThat(writable(nodes))
            .as("round %d: nodes accepting writes", round)
            .containsExactly(winner);
        assertThat(nodes.get(loser).queryValue("SELECT pg_is_in_recovery()")).isEqualTo(true);
        try (Topology after = oneShot(config)) {
          assertThat(after.status("app").master()).isEqualTo(winner);
        }
      }
    }
  }

  private static Topology oneShot(SluiceConfig config) {
    return Topology.start(config, AppliedPositions.NONE, e -> {}, Topology.Options.oneShot());
  }

  /** Promotes {@code node} once both callers are ready; the result, or what was thrown. */
  private static CompletableFuture<Object> promote(
      Topology topology, String node, CyclicBarrier together) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            together.await(1, TimeUnit.MINUTES);
            return topology.promote("app", node, false);
          } catch (Exception e) {
            return e;
          }
        });
  }

  /** The nodes whose new sessions can write: not in recovery and not fenced read-only. */
  private static List<String> writable(Map<String, PostgresCluster> nodes) {
    return nodes.entrySet().stream()
        .filter(
            e ->
                Boolean.FALSE.equals(e.getValue().queryValue("SELECT pg_is_in_recovery()"))
                    && "off".equals(e.getValue().queryValue("SHOW default_transaction_read_only")))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }
}
