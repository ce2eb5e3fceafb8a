package dev.sluice.topology.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Dialect;
import dev.sluice.config.LagTolerance;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.NodeRole;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.topology.GroupStatus;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.RoutingDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadRouterTest {
  private static final Endpoint MASTER = endpoint("primary", NodeRole.MASTER, 5432);
  private static final Endpoint A = endpoint("a", NodeRole.SLAVE, 5433);
  private static final Endpoint B = endpoint("b", NodeRole.SLAVE, 5434);
  private static final Endpoint C = endpoint("c", NodeRole.SLAVE, 5435);

  static Endpoint endpoint(String name, NodeRole role, int port) {
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/app";
    return new Endpoint(
        "app",
        new NodeConfig(
            name, role, url, "postgres", null, null, LagTolerance.ofTime(Duration.ofSeconds(5))),
        url,
        "postgres",
        null,
        Dialect.POSTGRESQL,
        "127.0.0.1",
        port,
        "app");
  }

  static GroupView view(
      RoutingStrategy routing, NodeState masterState, GroupView.Candidate... fresh) {
    GroupStatus status =
        new GroupStatus(
            "app", routing, Duration.ZERO, "primary", List.of(), fresh.length == 0, List.of());
    return new GroupView(
        "app",
        routing,
        MASTER,
        masterState,
        List.of(fresh),
        fresh.length == 0 ? "b stale" : "",
        status);
  }

  static GroupView.Candidate fresh(Endpoint e, long bytes, long millis) {
    return new GroupView.Candidate(e, bytes, millis);
  }

  private static Map<String, Integer> distribution(ReadRouter router, GroupView view, int reads) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < reads; i++) {
      counts.merge(router.pick(view).name(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinTakesTheFreshSlavesInTurn() {
    ReadRouter router = new ReadRouter();
    GroupView view =
        view(
            RoutingStrategy.ROUND_ROBIN,
            NodeState.UP,
            fresh(A, 0, 0),
            fresh(B, 10, 1),
            fresh(C, 0, 0));

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      order.add(router.pick(view).name());
    }

    assertThat(order).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c");
    assertThat(distribution(router, view, 3000))
        .containsEntry("a", 1000)
        .containsEntry("b", 1000)
        .containsEntry("c", 1000);
  }

  @Test
  void roundRobinStillRotatesEvenlyUnderConcurrentCheckouts() throws Exception {
    ReadRouter router = new ReadRouter();
    GroupView view =
        view(RoutingStrategy.ROUND_ROBIN, NodeState.UP, fresh(A, 0, 0), fresh(B, 0, 0));
    Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  counts.merge(router.pick(view).name(), 1, Integer::sum);
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(counts).containsEntry("a", 20_000).containsEntry("b", 20_000);
  }

  @Test
  void leastLagPicksTheSlaveWithTheFewestBytesBehind() {
    ReadRouter router = new ReadRouter();
    GroupView view =
        view(
            RoutingStrategy.LEAST_LAG,
            NodeState.UP,
            fresh(A, 4096, 20),
            fresh(B, 128, 3),
            fresh(C, 900, 1));

    assertThat(distribution(router, view, 1000)).containsExactly(Map.entry("b", 1000));
  }

  @Test
  void leastLagSharesTheLoadAmongEquallyCaughtUpSlaves() {
    ReadRouter router = new ReadRouter();
    GroupView view =
        view(
            RoutingStrategy.LEAST_LAG,
            NodeState.UP,
            fresh(A, 0, 0),
            fresh(B, 5000, 9),
            fresh(C, 0, 0));

    assertThat(distribution(router, view, 1000))
        .containsEntry("a", 500)
        .containsEntry("c", 500)
        .doesNotContainKey("b");
  }

  @Test
  void randomSpreadsReadsRoughlyEvenly() {
    ReadRouter router = new ReadRouter();
    GroupView view =
        view(RoutingStrategy.RANDOM, NodeState.UP, fresh(A, 0, 0), fresh(B, 0, 0), fresh(C, 0, 0));

    Map<String, Integer> counts = distribution(router, view, 30_000);

    assertThat(counts).containsOnlyKeys("a", "b", "c");
    counts.values().forEach(n -> assertThat(n).isBetween(9_000, 11_000));
  }

  @Test
  void withNoFreshSlaveReadsGoToTheMasterAndTheReasonSaysWhy() {
    ReadRouter router = new ReadRouter();
    GroupView view = view(RoutingStrategy.ROUND_ROBIN, NodeState.UP);

    RoutingDecision decision = router.decide(view);

    assertThat(decision.node()).isEqualTo("primary");
    assertThat(decision.role()).isEqualTo(NodeRole.MASTER);
    assertThat(decision.reason()).contains("no fresh slave").contains("b stale").contains("master");
  }

  @Test
  void whenTheMasterIsDownReadsStillGoToFreshSlaves() {
    ReadRouter router = new ReadRouter();
    GroupView view = view(RoutingStrategy.LEAST_LAG, NodeState.DOWN, fresh(A, 0, 0));

    RoutingDecision decision = router.decide(view);

    assertThat(decision.node()).isEqualTo("a");
    assertThat(decision.host()).isEqualTo("127.0.0.1");
    assertThat(decision.port()).isEqualTo(5433);
    assertThat(decision.database()).isEqualTo("app");
    assertThat(decision.reason()).contains("the master is down");
  }

  @Test
  void oneRoutingDecisionCostsWellUnderAMicrosecond() {
    ReadRouter router = new ReadRouter();
    GroupView view =
        view(
            RoutingStrategy.LEAST_LAG,
            NodeState.UP,
            fresh(A, 10, 0),
            fresh(B, 0, 0),
            fresh(C, 0, 0));
    for (int i = 0; i < 2_000_000; i++) {
      router.pick(view);
    }
    int n = 5_000_000;
    long start = System.nanoTime();
    long sink = 0;
    for (int i = 0; i < n; i++) {
      sink += router.pick(view).port();
    }
    double nanos = (System.nanoTime() - start) / (double) n;
    start = System.nanoTime();
    for (int i = 0; i < n / 10; i++) {
      sink += router.decide(view).port();
    }
    double withReason = (System.nanoTime() - start) / (n / 10.0);
    System.out.printf(
        "one routing decision (least-lag, 3 fresh slaves): %.1f ns at checkout, %.1f ns with its"
            + " reason (HTTP API)%n",
        nanos, withReason);
    assertThat(sink).isPositive();
    assertThat(nanos).isLessThan(1000);
  }
}
