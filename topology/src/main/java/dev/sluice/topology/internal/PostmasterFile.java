package dev.sluice.topology.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A data directory's {@code postmaster.pid}, as PostgreSQL writes it while its server runs: the
 * postmaster's process id (line 1), the data directory (line 2) and the port (line 4). It stays
 * behind after a crash, and its process id may then belong to another process: {@link
 * #isLivePostmaster} tells.
 *
 * @param pid the postmaster's process id
 * @param port the port it listens on, or 0 when the file does not say
 */
record PostmasterFile(Path dataDir, long pid, int port) {
  /** The file of {@code dataDir}; empty when there is none or it cannot be read. */
  static Optional<PostmasterFile> read(Path dataDir) {
    Path file = dataDir.resolve("postmaster.pid");
    try {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      int port =
          lines.size() > 3 && !lines.get(3).isBlank() ? Integer.parseInt(lines.get(3).trim()) : 0;
      return Optional.of(new PostmasterFile(dataDir, pid, port));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@link #pid} is alive and is this data directory's postmaster: a {@code postgres} (or
   * {@code postmaster}) program whose working directory is the data directory (the postmaster
   * changes into it at start). Where the working directory cannot be read (another operating
   * system, another user), the program's name decides.
   */
  boolean isLivePostmaster() {
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return false;
    }
    String program =
        process.get().info().command().map(c -> Path.of(c).getFileName().toString()).orElse("");
    if (!program.equals("postgres") && !program.equals("postmaster")) {
      return false;
    }
    try {
      Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
      return cwd.toRealPath().equals(dataDir.toRealPath());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return true;
    }
  }

  /** What the process id names, for messages: its program and working directory when known. */
  String describeProcess() {
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return "no running process";
    }
    String program = process.get().info().command().orElse("an unknown program");
    try {
      return program + " in " + Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return program;
    }
  }
}
