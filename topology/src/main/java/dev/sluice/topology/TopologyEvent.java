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
    /** A node joined the running topology (at start, or after a rejoin). */
    ADDED("replica.added"),
    /** A node left the group's routing (a fenced former master, until it rejoins). */
    REMOVED("replica.removed"),
    /** A node's state changed (up, stale, down, catching-up), or a promotion step touched it. */
    STATE("replica.state"),
    /** A slave became the master. */
    PROMOTED("replica.promoted"),
    /** A former master came back as a slave of the new master. */
    REJOINED("replica.rejoined");

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
