package dev.sluice.bench;

import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 3: commit → visible latency at a steady rate of single-row transactions, for Sluice and
 * for native logical replication.
 *
 * <p>Method: the source row carries {@code sent = clock_timestamp()} taken by its INSERT, which
 * commits at once (autocommit, one row per transaction). The target's copy of the table has one
 * more column, {@code arrived timestamp DEFAULT clock_timestamp()}, which neither side writes, so
 * the target fills it when the row is inserted there. Latency = {@code arrived - sent}, computed on
 * the target after the run; both clusters run on this machine, on one clock. No poller, so
 * measuring costs neither side anything. The row becomes visible when the applying transaction
 * commits, slightly after {@code arrived}; for both sides alike. The writer paces itself to the
 * rate (the i-th transaction not before start + i / rate); the achieved rate is printed.
 */
public final class LatencyScenario implements Scenario {
  static final String NAME = "latency";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "commit → visible on the target at a steady rate of single-row transactions";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    List<double[]> sluice = new ArrayList<>();
    List<double[]> nativeLatencies = new ArrayList<>();
    for (int rep = 1; rep <= ctx.settings().repetitions(); rep++) {
      boolean sluiceFirst = rep % 2 == 1;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == sluiceFirst) {
          sluice.add(runSluice(ctx, rep));
        } else {
          nativeLatencies.add(runNative(ctx, rep));
        }
      }
    }
    String note =
        String.format(
            "%,d single-row txn/s for %d s; arrived − sent, both clock_timestamp()",
            ctx.settings().latencyRatePerSecond(), ctx.settings().latencySeconds());
    for (double q : new double[] {0.50, 0.95, 0.99}) {
      String metric = "p" + Math.round(q * 100) + " ms";
      Measurement s = ctx.results().add(NAME, "sluice", metric, false, quantiles(sluice, q), note);
      Measurement n =
          ctx.results().add(NAME, "native", metric, false, quantiles(nativeLatencies, q), note);
      ctx.results().compare(NAME, metric, s, n);
    }
  }

  private static List<Double> quantiles(List<double[]> runs, double q) {
    return runs.stream().map(r -> Stats.quantile(r, q)).toList();
  }

  private double[] runSluice(BenchContext ctx, int rep) throws Exception {
    String table = "lat_s_" + rep;
    prepare(ctx, table);
    SluiceYaml yaml =
        SluiceYaml.capture(ctx.clusters().source(), table, ctx.newDir(table).resolve("journal"))
            .withTarget(ctx.clusters().target().jdbcUrl(table), "postgres");
    SluiceConfig config = SluicePipeline.load(yaml);
    double[] latencies;
    try (SluicePipeline pipeline = SluicePipeline.start(config)) {
      latencies = measure(ctx, "sluice", table, rep, pipeline::failIfCaptureFailed);
    }
    Load.dropSlot(ctx.clusters().source(), yaml.slot());
    ctx.clusters().source().executeIn(Clusters.DATABASE, "DROP PUBLICATION " + yaml.publication());
    cleanUp(ctx, table);
    return latencies;
  }

  private double[] runNative(BenchContext ctx, int rep) throws Exception {
    String table = "lat_n_" + rep;
    prepare(ctx, table);
    double[] latencies;
    try (NativeReplication replication = NativeReplication.start(ctx.clusters(), table, table)) {
      latencies = measure(ctx, "native", table, rep, () -> {});
    }
    cleanUp(ctx, table);
    return latencies;
  }

  private static void prepare(BenchContext ctx, String table) {
    ctx.clusters()
        .source()
        .executeIn(
            Clusters.DATABASE,
            "CREATE TABLE public."
                + table
                + " (id bigint PRIMARY KEY, sent timestamptz NOT NULL DEFAULT clock_timestamp(),"
                + " note text NOT NULL)");
    PostgresCluster target = ctx.clusters().target();
    target.execute("CREATE DATABASE " + table);
    target.executeIn(
        table,
        "CREATE TABLE public."
            + table
            + " (id bigint PRIMARY KEY, sent timestamptz NOT NULL, note text NOT NULL,"
            + " arrived timestamptz NOT NULL DEFAULT clock_timestamp())");
  }

  private static void cleanUp(BenchContext ctx, String table) {
    ctx.clusters().source().executeIn(Clusters.DATABASE, "DROP TABLE public." + table);
    ctx.clusters().target().execute("DROP DATABASE " + table);
  }

  private static double[] measure(
      BenchContext ctx, String subject, String table, int rep, Runnable healthCheck)
      throws Exception {
    int rate = ctx.settings().latencyRatePerSecond();
    int total = rate * ctx.settings().latencySeconds();
    long periodNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    try (Connection c = ctx.clusters().source().connect(Clusters.DATABASE);
        PreparedStatement insert =
            c.prepareStatement("INSERT INTO public." + table + " (id, note) VALUES (?, 'tick')")) {
      c.setAutoCommit(true);
      for (int i = 1; i <= total; i++) {
        long due = start + (i - 1) * periodNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        insert.setLong(1, i);
        insert.executeUpdate();
      }
    }
    double seconds = BenchContext.secondsSince(start);
    BenchContext.await(
        () -> {
          healthCheck.run();
          return Load.hasRow(ctx.clusters().target(), table, table, total);
        },
        50,
        ctx.timeoutFor(total),
        "all rows on the target");
    List<List<Object>> rows =
        ctx.clusters()
            .target()
            .queryIn(
                table,
                "SELECT extract(epoch FROM arrived - sent) * 1000 FROM public."
                    + table
                    + " ORDER BY 1");
    ctx.results().check(NAME, subject, "rows on the target (rep " + rep + ")", total, rows.size());
    double[] latencies =
        rows.stream().mapToDouble(r -> ((Number) r.get(0)).doubleValue()).toArray();
    ctx.results()
        .progress(
            String.format(
                "  %s: %,d txn at %.0f/s; p50 %.1f ms, p99 %.1f ms",
                table,
                total,
                total / seconds,
                Stats.quantile(latencies, 0.5),
                Stats.quantile(latencies, 0.99)));
    return latencies;
  }
}
