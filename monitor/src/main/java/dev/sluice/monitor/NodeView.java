package dev.sluice.monitor;

import dev.sluice.config.Masking;
import java.time.Instant;
import java.util.Objects;

/**
 * A member of a replica group, as last probed. Carries where to connect (host, port, database) but
 * never credentials.
 *
 * @param name the node's name
 * @param role {@code master} or {@code slave} (the running role, after any promotion)
 * @param dialect the kind of database ({@code postgresql}, ...)
 * @param state {@code up} (within its lag tolerance), {@code catching-up} (back within it, waiting
 *     out the hysteresis), {@code stale} (over its tolerance) or {@code down} (unreachable)
 * @param lagBytes how far behind the master in WAL bytes, or -1 when unknown (always 0 for the
 *     master)
 * @param lagMillis how far behind in time, or -1 when unknown
 * @param lastProbe when it was last measured, or null
 * @param fedBy the rule that feeds a CDC-fed slave, or null for a streaming standby or the master
 * @param poolActive connections of the routing pool in use
 * @param poolIdle connections of the routing pool idle
 * @param poolMax the routing pool's size
 * @param host its host name or address
 * @param port its port
 * @param database its database
 * @param lastError why the last probe failed (credentials masked), or null
 */
public record NodeView(
    String name,
    String role,
    String dialect,
    String state,
    long lagBytes,
    long lagMillis,
    Instant lastProbe,
    String fedBy,
    int poolActive,
    int poolIdle,
    int poolMax,
    String host,
    int port,
    String database,
    String lastError) {

  public NodeView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(state, "state");
    lastError = Masking.maskUrl(lastError);
  }

  /** Whether this is a slave that may take reads now (within its tolerance). */
  public boolean fresh() {
    return role.equals("slave") && state.equals("up");
  }
}
