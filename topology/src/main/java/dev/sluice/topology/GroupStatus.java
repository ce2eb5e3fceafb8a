package dev.sluice.topology;

import dev.sluice.config.RoutingStrategy;
import java.time.Duration;
import java.util.List;

/**
 * A replica group as the last probe saw it.
 *
 * @param name the group's name
 * @param routing how reads are spread over fresh slaves
 * @param hysteresis how long a slave must stay within tolerance before it gets reads again
 * @param master the running master's name
 * @param freshSlaves the slaves that get reads now, in configuration order
 * @param readsGoToMaster true when no slave is fresh, so reads go to the master
 * @param nodes every node, in configuration order
 */
public record GroupStatus(
    String name,
    RoutingStrategy routing,
    Duration hysteresis,
    String master,
    List<String> freshSlaves,
    boolean readsGoToMaster,
    List<NodeStatus> nodes) {

  public GroupStatus {
    freshSlaves = List.copyOf(freshSlaves);
    nodes = List.copyOf(nodes);
  }
}
