package dev.sluice.monitor;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A replica group: its nodes and where reads go now.
 *
 * @param group the group's name
 * @param routing the read routing strategy ({@code round-robin}, {@code least-lag}, {@code random})
 * @param nodes its nodes, master first
 * @param readNode the node reads go to now (the one {@code /api/routing/{group}/read} answers), or
 *     null when none can take reads
 * @param readReason why that node ({@code "least lag: 120 ms"}, {@code "no fresh slave: master"})
 */
public record ReplicaGroupView(
    String group, String routing, List<NodeView> nodes, String readNode, String readReason) {

  public ReplicaGroupView {
    Objects.requireNonNull(group, "group");
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
  }

  /** The node of that name, if there is one. */
  public Optional<NodeView> node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  /** The slaves that may take reads now. */
  public List<NodeView> freshSlaves() {
    return nodes.stream().filter(NodeView::fresh).toList();
  }
}
