package dev.sluice.topology.internal;

import dev.sluice.topology.ServerControl;
import dev.sluice.topology.TopologyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** The postmaster's process id from {@code postmaster.pid}, or -1 when there is none. */
  static long postmasterPid(Path dataDir) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return -1;
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Whether a postmaster runs on the data directory. */
  static boolean running(Path dataDir) {
    long pid = postmasterPid(dataDir);
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void signalStop(Path dataDir) {
    long pid = postmasterPid(dataDir);
    if (pid <= 0 || !running(dataDir)) {
      return;
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
