package dev.sluice.topology;

import dev.sluice.config.Dialect;
import dev.sluice.config.NodeRole;
import java.time.Instant;

/**
 * One node of a replica group as the last probe saw it. Never holds credentials.
 *
 * @param group the group's name
 * @param name the node's name
 * @param configuredRole the role in the configuration file
 * @param role the running role (differs from the configured one after a promotion)
 * @param dialect the kind of database
 * @param fedBy the rule that feeds a CDC-fed slave, or null for a streaming standby or a master
 * @param state whether it can serve reads
 * @param lagBytes bytes of WAL it is behind (for a CDC-fed slave: between the source's current LSN
 *     and the rule's applied LSN); 0 for the master; -1 when unknown
 * @param lagMillis how long it is behind: for a streaming standby the time since its last replayed
 *     transaction while it is behind (capped by the time since a probe last saw it caught up, so an
 *     idle master's first write does not look like hours of lag), 0 when caught up; for a CDC-fed
 *     slave the age of the oldest unapplied change; -1 when unknown
 * @param probedAt when it was last probed, or null before the first probe
 * @param pool the usage of its connection pool (zeros until the pool is first used)
 * @param host its host, or null (SQLite)
 * @param port its port, or 0 when it has none
 * @param database its database (for SQLite the file)
 * @param detail why it is in its state, in words (an error, "replay paused", "read-only"), or an
 *     empty string
 */
public record NodeStatus(
    String group,
    String name,
    NodeRole configuredRole,
    NodeRole role,
    Dialect dialect,
    String fedBy,
    NodeState state,
    long lagBytes,
    long lagMillis,
    Instant probedAt,
    PoolUsage pool,
    String host,
    int port,
    String database,
    String detail) {

  public boolean isMaster() {
    return role == NodeRole.MASTER;
  }

  /** A copy with another pool usage. */
  public NodeStatus withPool(PoolUsage usage) {
    return new NodeStatus(
        group,
        name,
        configuredRole,
        role,
        dialect,
        fedBy,
        state,
        lagBytes,
        lagMillis,
        probedAt,
        usage,
        host,
        port,
        database,
        detail);
  }
}
