package dev.sluice.topology;

import java.nio.file.Path;

/**
 * Stops and starts the PostgreSQL server of a data directory, for {@code rejoin}. The default finds
 * {@code pg_ctl}; embedders with a service manager supply their own ({@code systemctl stop
 * postgresql@17-main}).
 */
public interface ServerControl {
  /** Stops the server cleanly (a fast shutdown) and returns once it is down. */
  void stop(Path dataDir);

  /** Starts the server and returns once it accepts connections. */
  void start(Path dataDir);
}
