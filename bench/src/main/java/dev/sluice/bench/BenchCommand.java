package dev.sluice.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench}: the benchmark harness.
 *
 * <p>Structure: the harness is its own module, {@code bench}, which depends on every other module
 * (cli included: the memory scenario runs the real {@code sluice run} as a child JVM). The cli
 * therefore cannot depend on it, and does not know it: the {@code ./sluice} launcher sends {@code
 * sluice bench ...} to this class in {@code bench/target/sluice-bench.jar} (built on first use like
 * the cli jar), and every other command to the cli jar. So the sidecar's jar and image carry no
 * benchmark code (nor JMH), and the harness still answers as {@code sluice bench}.
 *
 * <p>Exit codes: 0 when every scenario ran and every count it verified was right, 1 otherwise, 2 on
 * bad usage.
 */
@Command(
    name = "sluice bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark Sluice against native logical replication and pg_recvlogical, in one run.",
      "Starts its own source and target PostgreSQL 17 clusters; every comparison runs both sides on"
          + " the same clusters, alternating; prints a table of medians and ranges and writes the"
          + " results as JSON."
    })
public final class BenchCommand implements Callable<Integer> {
  private static final Map<String, Scenario> SCENARIOS = scenarios();

  @Option(
      names = "--quick",
      description =
          "A reduced set (small loads, one repetition, short JMH) that runs in a few minutes: the CI"
              + " smoke test.")
  boolean quick;

  @Option(
      names = "--scenario",
      paramLabel = "NAME",
      split = ",",
      description =
          "Run only these scenarios (repeatable or comma-separated): capture, e2e, latency,"
              + " targets, replay, memory, jmh. Default: all.")
  List<String> scenarios = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Where to write the JSON results (default ${DEFAULT-VALUE}).")
  Path out = Path.of("bench-results.json");

  @Option(
      names = "--repetitions",
      paramLabel = "N",
      description = "Repetitions of each comparison (default: 3, or 1 with --quick).")
  Integer repetitions;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  private static Map<String, Scenario> scenarios() {
    Map<String, Scenario> all = new LinkedHashMap<>();
    for (Scenario s :
        List.of(
            new CaptureScenario(),
            new EndToEndScenario(),
            new LatencyScenario(),
            new TargetsScenario(),
            new ReplayScenario(),
            new MemoryScenario(),
            new JmhScenario())) {
      all.put(s.name(), s);
    }
    return all;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    List<Scenario> chosen = new ArrayList<>();
    for (String name : scenarios.isEmpty() ? List.copyOf(SCENARIOS.keySet()) : scenarios) {
      Scenario s = SCENARIOS.get(name.trim());
      if (s == null) {
        spec.commandLine()
            .getErr()
            .println("sluice bench: unknown scenario '" + name + "'; known: " + SCENARIOS.keySet());
        return 2;
      }
      chosen.add(s);
    }
    BenchSettings settings = quick ? BenchSettings.quick() : BenchSettings.full();
    if (repetitions != null) {
      if (repetitions < 1) {
        spec.commandLine().getErr().println("sluice bench: --repetitions must be at least 1");
        return 2;
      }
      settings = settings.withRepetitions(repetitions);
    }
    Report report = run(chosen, settings, quick, commandLine(), console);
    console.println();
    console.print(ReportTable.format(report));
    ReportJson.write(report, out);
    console.println("results: " + out.toAbsolutePath());
    console.flush();
    boolean allRan = report.notes().stream().noneMatch(n -> n.startsWith("FAILED"));
    return allRan && report.checksPassed() ? 0 : 1;
  }

  /** Runs the scenarios on new clusters and returns the report; a failing scenario is noted. */
  public static Report run(
      List<Scenario> chosen,
      BenchSettings settings,
      boolean quick,
      String command,
      PrintWriter console)
      throws IOException {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    Results results =
        new Results(
            line -> {
              console.println(line);
              console.flush();
            });
    Machine machine = Machine.current();
    console.println("sluice bench (" + (quick ? "quick" : "full") + "): " + machine.describe());
    console.println("starting the source and target PostgreSQL 17 clusters...");
    console.flush();
    Path work = Files.createTempDirectory("sluice-bench-");
    try (Clusters clusters = Clusters.start()) {
      BenchContext context = new BenchContext(clusters, work, settings, results);
      for (Scenario scenario : chosen) {
        console.println("== " + scenario.name() + ": " + scenario.description());
        console.flush();
        long t = System.nanoTime();
        try {
          scenario.run(context);
        } catch (Exception e) {
          results.note("FAILED " + scenario.name() + ": " + e);
          e.printStackTrace(console);
        }
        console.printf("   (%s took %.0f s)%n", scenario.name(), BenchContext.secondsSince(t));
        console.flush();
      }
    } finally {
      deleteTree(work);
    }
    return new Report(
        started,
        BenchContext.secondsSince(startNanos),
        quick ? "quick" : "full",
        command,
        machine,
        settings,
        results.measurements(),
        results.comparisons(),
        results.checks(),
        results.notes());
  }

  private String commandLine() {
    StringBuilder c = new StringBuilder("./sluice bench");
    if (quick) {
      c.append(" --quick");
    }
    if (!scenarios.isEmpty()) {
      c.append(" --scenario ").append(String.join(",", scenarios));
    }
    if (repetitions != null) {
      c.append(" --repetitions ").append(repetitions);
    }
    return c.toString();
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + root, e);
    }
  }
}
