package dev.sluice.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Scenario 7: the JMH micro-benchmarks of {@code dev.sluice.bench.jmh} (journal codec, journal
 * append and read, the read router's decision), in a forked JVM with the journal's flags. The
 * figure per benchmark is the median over its measurement iterations, with their range. Needs no
 * database.
 */
public final class JmhScenario implements Scenario {
  static final String NAME = "jmh";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "JMH micro-benchmarks: journal codec, journal append/read, read routing";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    boolean quick = ctx.settings().jmhQuick();
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include("dev\\.sluice\\.bench\\.jmh\\..*")
            .forks(1)
            .jvmArgsAppend(JvmFlags.CHRONICLE.toArray(String[]::new))
            .timeUnit(TimeUnit.SECONDS)
            .verbosity(VerboseMode.SILENT)
            .shouldFailOnError(true);
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.milliseconds(500))
          .measurementIterations(2)
          .measurementTime(TimeValue.milliseconds(500));
    } else {
      options
          .warmupIterations(3)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(5)
          .measurementTime(TimeValue.seconds(2));
    }
    Collection<RunResult> runs = new Runner(options.build()).run();
    for (RunResult run : runs) {
      BenchmarkParams params = run.getParams();
      String name = params.getBenchmark().replace("dev.sluice.bench.jmh.", "");
      for (String key : params.getParamsKeys()) {
        name += " " + key + "=" + params.getParam(key);
      }
      List<Double> samples = new ArrayList<>();
      for (var benchmark : run.getBenchmarkResults()) {
        for (IterationResult iteration : benchmark.getIterationResults()) {
          samples.add(iteration.getPrimaryResult().getScore());
        }
      }
      ctx.results()
          .add(
              NAME,
              name,
              "ops/s",
              true,
              samples,
              String.format(
                  "%d measurement iterations of %s, 1 fork",
                  params.getMeasurement().getCount(), params.getMeasurement().getTime()));
    }
  }
}
