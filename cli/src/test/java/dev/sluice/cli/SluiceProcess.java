package dev.sluice.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice} as a real child process (same class path as the tests), for crash and memory
 * tests: it can be killed with SIGKILL, stopped with SIGTERM, and run with a small heap.
 */
final class SluiceProcess implements AutoCloseable {
  /** The flags the launcher gives the JVM (see the jar manifest). */
  static final List<String> JVM_FLAGS =
      List.of(
          "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED");

  private final Process process;
  private final Path log;

  private SluiceProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code sluice ARGS} with extra JVM options (e.g. {@code -Xmx256m}); output goes to
   * {@code log}.
   */
  static SluiceProcess start(List<String> jvmOptions, Path log, String... args) {
    return start(jvmOptions, java.util.Map.of(), log, args);
  }

  /** Like {@link #start(List, Path, String...)}, with extra environment variables. */
  static SluiceProcess start(
      List<String> jvmOptions,
      java.util.Map<String, String> environment,
      Path log,
      String... args) {
    List<String> command = new ArrayList<>();
    // SIGHUP as a user's shell leaves it, also when the build runs under nohup (which ignores it
    // for every child: a sidecar started so does not reload on SIGHUP, and says so)
    command.addAll(List.of("env", "--default-signal=HUP"));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      Process process = builder.start();
      return new SluiceProcess(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no chance to clean up. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for the exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "sluice did not stop within " + timeout + " of SIGTERM; log:\n" + log());
    }
    return process.exitValue();
  }

  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("sluice did not exit within " + timeout + "; log:\n" + log());
    }
    return process.exitValue();
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
