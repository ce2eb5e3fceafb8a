package dev.sluice.bench.jmh;

import dev.sluice.config.Dialect;
import dev.sluice.config.LagTolerance;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.NodeRole;
import dev.sluice.config.RoutingStrategy;
import dev.sluice.topology.GroupStatus;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.RoutingDecision;
import dev.sluice.topology.internal.Endpoint;
import dev.sluice.topology.internal.GroupView;
import dev.sluice.topology.internal.ReadRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The read router's decision for one read of a group with a master and three fresh slaves: {@code
 * pick} (the routing DataSource's fast path) and {@code decide} (with its reason, for the API).
 */
@State(Scope.Benchmark)
public class RoutingBenchmark {
  @Param({"least-lag", "round-robin"})
  public String routing;

  private final ReadRouter router = new ReadRouter();
  private GroupView view;

  @Setup
  public void setUp() {
    RoutingStrategy strategy =
        routing.equals("least-lag") ? RoutingStrategy.LEAST_LAG : RoutingStrategy.ROUND_ROBIN;
    Endpoint master = endpoint("primary", NodeRole.MASTER, 5432);
    List<GroupView.Candidate> fresh = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      fresh.add(
          new GroupView.Candidate(endpoint("standby-" + i, NodeRole.SLAVE, 5432 + i), i * 100L, i));
    }
    view =
        new GroupView(
            "app",
            strategy,
            master,
            NodeState.UP,
            fresh,
            "",
            new GroupStatus(
                "app",
                strategy,
                Duration.ofSeconds(5),
                "primary",
                List.of("standby-1", "standby-2", "standby-3"),
                false,
                List.of()));
  }

  private static Endpoint endpoint(String name, NodeRole role, int port) {
    String url = "jdbc:postgresql://10.0.0." + (port - 5430) + ":" + port + "/app";
    return new Endpoint(
        "app",
        new NodeConfig(
            name, role, url, "app", null, null, LagTolerance.ofTime(Duration.ofSeconds(5))),
        url,
        "app",
        null,
        Dialect.POSTGRESQL,
        "10.0.0." + (port - 5430),
        port,
        "app");
  }

  @Benchmark
  public Endpoint pick() {
    return router.pick(view);
  }

  @Benchmark
  public RoutingDecision decide() {
    return router.decide(view);
  }
}
