package dev.sluice.topology;

import java.time.Instant;

/**
 * Something that happened to a replica group, for the activity feed.
 *
 * @param type what kind of thing
 * @param at when
 * @param group the group
 * @param node the node it happened to
 * @param message what happened, in words
 */
public record TopologyEvent(Type type, Instant at, String group, String node, String message) {

  /** The kinds of events; {@link #wireName()} is the name the feed and API use. */
  public enum Type {
    /** A node joined the running topology (at start, after a rejoin, or added at run time). */
    ADDED("replica.added"),
    /**
     * A node left the group's routing (a fenced former master until it rejoins, or a node removed
     * at run time).
     */
    REMOVED("replica.removed"),
    /** A node's state changed (up, stale, down, catching-up), or a promotion step touched it. */
    STATE("replica.state"),
    /** A slave became the master. */
    PROMOTED("replica.promoted"),
    /** A former master came back as a slave of the new master. */
    REJOINED("replica.rejoined"),
    /** A group's routing strategy or hysteresis changed at run time (node: empty). */
    ROUTING_CHANGED("routing.changed");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  @Override
  public String toString() {
    return type.wireName() + " " + group + "/" + node + ": " + message;
  }
}
