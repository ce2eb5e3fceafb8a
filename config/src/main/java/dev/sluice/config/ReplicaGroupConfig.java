package dev.sluice.config;

import java.time.Duration;
import java.util.List;

/**
 * A master and its slaves.
 *
 * @param name the group's name
 * @param routing how reads are spread over fresh slaves
 * @param hysteresis how long a stale slave must stay within its tolerance before it gets reads
 *     again
 * @param nodes the nodes, exactly one of them with the master role
 */
public record ReplicaGroupConfig(
    String name, RoutingStrategy routing, Duration hysteresis, List<NodeConfig> nodes) {

  public ReplicaGroupConfig {
    nodes = List.copyOf(nodes);
  }
}
