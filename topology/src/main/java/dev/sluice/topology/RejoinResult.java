package dev.sluice.topology;

import java.time.Duration;

/**
 * A former master that is a standby of the new master again.
 *
 * @param group the group
 * @param node the node, now a slave
 * @param master the master it streams from
 * @param method how its data directory was made a standby
 * @param why why that method was chosen, in words
 * @param started whether it was started (else the operator starts it)
 * @param took how long the rejoin took
 */
public record RejoinResult(
    String group,
    String node,
    String master,
    RejoinMethod method,
    String why,
    boolean started,
    Duration took) {}
