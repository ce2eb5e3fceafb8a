package dev.sluice.topology.internal;

import dev.sluice.config.RoutingStrategy;
import dev.sluice.topology.GroupStatus;
import dev.sluice.topology.NodeState;
import dev.sluice.topology.NodeStatus;
import java.util.List;

/**
 * One group as the last probe saw it, immutable: what routing reads at every checkout (one volatile
 * read, no lock).
 *
 * @param name the group
 * @param routing the strategy
 * @param master the running master
 * @param masterState the master's state
 * @param fresh the slaves that may get reads (up, with a JDBC URL), in configuration order
 * @param whyNoFresh when {@code fresh} is empty, why (e.g. "standby-1 stale: 7.2 s behind,
 *     tolerance 5s")
 * @param status the group's status for the monitor
 */
public record GroupView(
    String name,
    RoutingStrategy routing,
    Endpoint master,
    NodeState masterState,
    List<Candidate> fresh,
    String whyNoFresh,
    GroupStatus status) {

  public GroupView {
    fresh = List.copyOf(fresh);
  }

  /**
   * A slave that may get reads.
   *
   * @param endpoint where it is
   * @param lagBytes its measured lag in bytes
   * @param lagMillis its measured lag in milliseconds
   */
  public record Candidate(Endpoint endpoint, long lagBytes, long lagMillis) {}

  /** The status of one node, or null. */
  public NodeStatus node(String node) {
    return status.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElse(null);
  }

  /** This view with another routing strategy (what the next checkout uses). */
  public GroupView withRouting(RoutingStrategy strategy) {
    GroupStatus s = status;
    return new GroupView(
        name,
        strategy,
        master,
        masterState,
        fresh,
        whyNoFresh,
        new GroupStatus(
            s.name(),
            strategy,
            s.hysteresis(),
            s.master(),
            s.freshSlaves(),
            s.readsGoToMaster(),
            s.nodes()));
  }

  /** This view without a node: it gets no more reads from the next checkout on. */
  public GroupView without(String node) {
    List<Candidate> left = fresh.stream().filter(c -> !c.endpoint().name().equals(node)).toList();
    GroupStatus s = status;
    return new GroupView(
        name,
        routing,
        master,
        masterState,
        left,
        left.isEmpty() && whyNoFresh.isEmpty() ? node + " was removed" : whyNoFresh,
        new GroupStatus(
            s.name(),
            s.routing(),
            s.hysteresis(),
            s.master(),
            s.freshSlaves().stream().filter(n -> !n.equals(node)).toList(),
            left.isEmpty(),
            s.nodes().stream().filter(n -> !n.name().equals(node)).toList()));
  }
}
