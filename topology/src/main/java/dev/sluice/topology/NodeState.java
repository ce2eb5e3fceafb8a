package dev.sluice.topology;

import dev.sluice.config.YamlEnum;

/**
 * Whether a node can serve reads, as the last probes measured it. Written in lower case with dashes
 * ({@code catching-up}) in status output.
 */
public enum NodeState implements YamlEnum {
  /** Reachable and, for a slave, within its lag tolerance for at least the hysteresis time. */
  UP,
  /** Reachable but over its lag tolerance (or not replicating at all): it gets no reads. */
  STALE,
  /** Not reachable, or not probed yet. */
  DOWN,
  /**
   * Back within its tolerance after being stale or down, but not yet for the group's hysteresis
   * time: it gets no reads until it has stayed within tolerance that long.
   */
  CATCHING_UP
}
