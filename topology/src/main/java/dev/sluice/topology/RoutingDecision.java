package dev.sluice.topology;

import dev.sluice.config.NodeRole;

/**
 * Where one read goes (the answer of {@code GET /api/routing/{group}/read}). Never holds
 * credentials.
 *
 * @param group the group
 * @param node the chosen node's name
 * @param role its running role: a slave, or the master when no slave is fresh
 * @param host its host, or null (SQLite)
 * @param port its port, or 0
 * @param database its database
 * @param reason why it was chosen, e.g. "round-robin over 2 fresh slaves" or "no fresh slave
 *     (standby-1 stale: 7.2 s behind, tolerance 5s); reads go to the master"
 */
public record RoutingDecision(
    String group,
    String node,
    NodeRole role,
    String host,
    int port,
    String database,
    String reason) {}
