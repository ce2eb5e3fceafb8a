package dev.sluice.topology.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL client program ({@code pg_rewind}, {@code pg_ctl}) of a given major version, found
 * in a given directory or on the {@code PATH}. Programs of another major version are passed over
 * (and said so): {@code pg_rewind} 15 cannot rewind a PostgreSQL 17 data directory.
 *
 * @param path the program
 * @param version its version, e.g. {@code 17.2}
 */
record PgTool(Path path, String version) {
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
    try {
      Process p =
          new ProcessBuilder(program.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      Matcher m = VERSION.matcher(out);
      return m.find() ? m.group(1) + (m.group(2) == null ? "" : m.group(2)) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Runs the program with {@code args} and returns its exit code; its output goes to {@code
   * output}.
   */
  int run(List<String> args, List<String> output, long timeoutSeconds) {
    List<String> command = new ArrayList<>();
    command.add(path.toString());
    command.addAll(args);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        output.add(path.getFileName() + " did not finish in " + timeoutSeconds + " s");
        return -1;
      }
      out.lines().forEach(output::add);
      return p.exitValue();
    } catch (IOException e) {
      output.add(e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      output.add("interrupted");
      return -1;
    }
  }
}
