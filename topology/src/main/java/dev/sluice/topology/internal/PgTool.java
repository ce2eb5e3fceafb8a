package dev.sluice.topology.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL client program ({@code pg_rewind}, {@code pg_ctl}) of a given major version, found
 * in a given directory or on the {@code PATH}. Programs of another major version are passed over
 * (and said so): {@code pg_rewind} 15 cannot rewind a PostgreSQL 17 data directory.
 *
 * @param path the program
 * @param version its version, e.g. {@code 17.2}
 */
record PgTool(Path path, String version) {
  private static final Logger LOG = LoggerFactory.getLogger(PgTool.class);
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(\\.\\d+)?");

  /**
   * Looks for {@code program} of major version {@code major} in {@code binDir} (when given), then
   * in each {@code PATH} directory.
   *
   * @param tried receives one line per candidate passed over, for the log
   */
  static Optional<PgTool> find(String program, Path binDir, int major, List<String> tried) {
    Set<Path> dirs = new LinkedHashSet<>();
    if (binDir != null) {
      dirs.add(binDir);
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    for (Path dir : dirs) {
      Path candidate = dir.resolve(program);
      if (!Files.isExecutable(candidate)) {
        continue;
      }
      String version = version(candidate);
      if (version == null) {
        tried.add(candidate + " (its version cannot be read)");
      } else if (!version.startsWith(major + ".") && !version.equals(Integer.toString(major))) {
        tried.add(candidate + " is version " + version + ", not " + major);
      } else {
        return Optional.of(new PgTool(candidate, version));
      }
    }
    if (tried.isEmpty()) {
      tried.add(
          "no "
              + program
              + " in "
              + (binDir == null ? "" : binDir + " or ")
              + "the directories of PATH");
    }
    return Optional.empty();
  }

  private static String version(Path program) {
    List<String> output = new ArrayList<>();
    if (new PgTool(program, "").run(List.of("--version"), Map.of(), output, 10) != 0) {
      return null;
    }
    Matcher m = VERSION.matcher(String.join("\n", output));
    return m.find() ? m.group(1) + (m.group(2) == null ? "" : m.group(2)) : null;
  }

  /**
   * Runs the program with {@code args} and returns its exit code, or -1 when it could not be
   * started or did not finish within {@code timeoutSeconds} (it is then killed, with every process
   * it started). Its output (stdout and stderr) goes to a file readable by its owner only, not to a
   * pipe, so a program that hangs, or leaves a child behind holding its output, cannot keep this
   * from returning; the lines are added to {@code output} at the end.
   *
   * @param environment added to this process's environment for the program (e.g. {@code
   *     PGPASSFILE}): what must not appear in {@code ps} goes here, never into {@code args}
   */
  int run(
      List<String> args,
      Map<String, String> environment,
      List<String> output,
      long timeoutSeconds) {
    List<String> command = new ArrayList<>();
    command.add(path.toString());
    command.addAll(args);
    Path log = null;
    try {
      log = OwnerOnlyFile.create("sluice-" + path.getFileName() + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(environment);
      Process p = builder.start();
      boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished) {
        kill(p);
      }
      Files.readAllLines(log, StandardCharsets.UTF_8).forEach(output::add);
      if (!finished) {
        output.add(path.getFileName() + " did not finish in " + timeoutSeconds + " s");
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      output.add(e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      output.add("interrupted");
      return -1;
    } finally {
      OwnerOnlyFile.deleteQuietly(log);
    }
  }

  /**
   * Kills the program and every process it started, and waits (10 s at most) until they are gone.
   */
  private static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.add(p.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle process : all) {
      try {
        process.onExit().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("process {} ({}) did not end after SIGKILL", process.pid(), process.info());
      }
    }
  }
}
