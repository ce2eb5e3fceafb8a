package dev.sluice.topology;

import java.nio.file.Path;

/**
 * How to rejoin a former master.
 *
 * @param dataDir the former master's data directory, on this machine (required: rejoining rewrites
 *     it), owned by the user running the rejoin
 * @param binDir a directory with {@code pg_rewind} and {@code pg_ctl} of the node's major version,
 *     or null to look on the {@code PATH}
 * @param server how to stop and start the node's server, or null for {@code pg_ctl} (found in
 *     {@code binDir} or on the {@code PATH}; when none is found a running node is stopped by
 *     signalling its postmaster, and the node is left for the operator to start)
 * @param start whether to start the node once it is a standby
 */
public record RejoinOptions(Path dataDir, Path binDir, ServerControl server, boolean start) {

  public static RejoinOptions of(Path dataDir) {
    return new RejoinOptions(dataDir, null, null, true);
  }

  public RejoinOptions withBinDir(Path dir) {
    return new RejoinOptions(dataDir, dir, server, start);
  }

  public RejoinOptions withServer(ServerControl control) {
    return new RejoinOptions(dataDir, binDir, control, start);
  }

  public RejoinOptions withStart(boolean startIt) {
    return new RejoinOptions(dataDir, binDir, server, startIt);
  }
}
