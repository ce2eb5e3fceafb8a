package dev.sluice.topology.internal;

import dev.sluice.topology.ServerControl;
import dev.sluice.topology.TopologyException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts a server with {@code pg_ctl} when one of the right version was found; without
 * it, stops the server by sending its postmaster SIGINT (a fast shutdown, what {@code pg_ctl stop
 * -m fast} does) and cannot start it.
 */
final class PgCtlControl implements ServerControl {
  private final PgTool pgCtl;

  /**
   * @param pgCtl the {@code pg_ctl} to use, or null
   */
  PgCtlControl(PgTool pgCtl) {
    this.pgCtl = pgCtl;
  }

  boolean canStart() {
    return pgCtl != null;
  }

  @Override
  public void stop(Path dataDir) {
    if (pgCtl != null) {
      List<String> out = new ArrayList<>();
      int code =
          pgCtl.run(
              List.of("-D", dataDir.toString(), "-m", "fast", "-w", "-t", "120", "stop"),
              Map.of(),
              out,
              130);
      if (code != 0) {
        throw new TopologyException("pg_ctl stop failed: " + String.join(" ", out));
      }
      return;
    }
    signalStop(dataDir);
  }

  @Override
  public void start(Path dataDir) {
    if (pgCtl == null) {
      throw new IllegalStateException("no pg_ctl to start " + dataDir);
    }
    Path log = dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".log");
    List<String> out = new ArrayList<>();
    int code =
        pgCtl.run(
            List.of("-D", dataDir.toString(), "-l", log.toString(), "-w", "-t", "120", "start"),
            Map.of(),
            out,
            130);
    if (code != 0) {
      throw new TopologyException(
          "pg_ctl start failed: " + String.join(" ", out) + " (see " + log + ")");
    }
  }

  /** Whether this data directory's postmaster runs (a stale {@code postmaster.pid} is not). */
  static boolean running(Path dataDir) {
    return PostmasterFile.read(dataDir).map(PostmasterFile::isLivePostmaster).orElse(false);
  }

  /**
   * Sends SIGINT to the postmaster named by {@code postmaster.pid}, after checking that the process
   * is this data directory's postmaster: after a crash the file stays, and its process id may have
   * been given to an unrelated process since.
   */
  private static void signalStop(Path dataDir) {
    Optional<PostmasterFile> file = PostmasterFile.read(dataDir);
    if (file.isEmpty() || ProcessHandle.of(file.get().pid()).isEmpty()) {
      return; // nothing runs on it
    }
    long pid = file.get().pid();
    if (!file.get().isLivePostmaster()) {
      throw new TopologyException(
          dataDir.resolve("postmaster.pid")
              + " names process "
              + pid
              + " ("
              + file.get().describeProcess()
              + "), which is not this data directory's postmaster: it was not signalled. If the"
              + " server crashed, the file is stale: make sure no server runs on "
              + dataDir
              + ", remove it and try again");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new TopologyException(
            "cannot signal the postmaster " + pid + " of " + dataDir + " to stop");
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (running(dataDir)) {
        if (System.nanoTime() > deadline) {
          throw new TopologyException(
              "the server of " + dataDir + " did not stop within 120 s after SIGINT");
        }
        Thread.sleep(50);
      }
    } catch (IOException e) {
      throw new TopologyException(
          "cannot stop the server of " + dataDir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopologyException("interrupted while stopping " + dataDir, e);
    }
  }
}
