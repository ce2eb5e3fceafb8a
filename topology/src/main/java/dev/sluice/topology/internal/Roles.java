package dev.sluice.topology.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running masters that differ from the configuration, by group: what promotions changed.
 * Immutable.
 *
 * @param groups per group, its running master
 */
public record Roles(Map<String, Master> groups) {
  public static final Roles NONE = new Roles(Map.of());

  public Roles {
    groups = Map.copyOf(groups);
  }

  /**
   * A group's running master.
   *
   * @param master the node that is master now
   * @param previousMaster the node it replaced
   * @param promotedAt when
   */
  public record Master(String master, String previousMaster, Instant promotedAt) {}

  /** A copy where {@code node} is the master of {@code group}. */
  public Roles withMaster(String group, String node, String previous, Instant at) {
    Map<String, Master> copy = new LinkedHashMap<>(groups);
    copy.put(group, new Master(node, previous, at));
    return new Roles(copy);
  }
}
