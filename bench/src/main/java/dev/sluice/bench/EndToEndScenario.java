package dev.sluice.bench;

import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 2: PostgreSQL to PostgreSQL, bulk: Sluice (capture + journal + apply) against native
 * logical replication between the same two clusters.
 *
 * <p>Per repetition and side (alternating which goes first): a new source table and a new target
 * database holding the same empty table; the side is started and streaming; then the clock starts,
 * the load is inserted, and the target is polled (every 50 ms, by primary key) until it has the
 * last row; since both sides apply source transactions in commit order, the last row arriving means
 * every row did, which the count afterwards checks. Figure: seconds from insert start until the
 * target has every row.
 */
public final class EndToEndScenario implements Scenario {
  static final String NAME = "e2e";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "PG → PG bulk: Sluice (capture + apply) vs native logical replication";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    if (ctx.settings().warmUp()) {
      measure(ctx.warmUp());
    }
    measure(ctx);
  }

  private void measure(BenchContext ctx) throws Exception {
    List<Double> sluice = new ArrayList<>();
    List<Double> nativeTimes = new ArrayList<>();
    for (int rep = 1; rep <= ctx.settings().repetitions(); rep++) {
      boolean sluiceFirst = rep % 2 == 1;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == sluiceFirst) {
          sluice.add(runSluice(ctx, rep));
        } else {
          nativeTimes.add(runNative(ctx, rep));
        }
      }
    }
    String what = String.format("%,d rows", ctx.settings().rows());
    Measurement s =
        ctx.results()
            .add(NAME, "sluice", "seconds", false, sluice, what + ": insert start → all on target");
    Measurement n =
        ctx.results()
            .add(
                NAME,
                "native",
                "seconds",
                false,
                nativeTimes,
                what + ": insert start → all on target");
    ctx.results().compare(NAME, "seconds", s, n);
  }

  private double runSluice(BenchContext ctx, int rep) throws Exception {
    String table = "e2e_s_" + rep;
    PostgresCluster source = ctx.clusters().source();
    PostgresCluster target = ctx.clusters().target();
    source.executeIn(Clusters.DATABASE, Load.createTable(table));
    target.execute("CREATE DATABASE " + table);
    target.executeIn(table, Load.createTable(table));
    SluiceYaml yaml =
        SluiceYaml.capture(source, table, ctx.newDir(table).resolve("journal"))
            .withTarget(target.jdbcUrl(table), "postgres");
    SluiceConfig config = SluicePipeline.load(yaml);
    double seconds;
    try (SluicePipeline pipeline = SluicePipeline.start(config)) {
      seconds = timeLoad(ctx, table, pipeline::failIfCaptureFailed);
    }
    finish(ctx, "sluice", table, rep, seconds);
    Load.dropSlot(source, yaml.slot());
    source.executeIn(
        Clusters.DATABASE, "DROP PUBLICATION " + yaml.publication(), "DROP TABLE public." + table);
    target.execute("DROP DATABASE " + table);
    return seconds;
  }

  private double runNative(BenchContext ctx, int rep) throws Exception {
    String table = "e2e_n_" + rep;
    PostgresCluster source = ctx.clusters().source();
    PostgresCluster target = ctx.clusters().target();
    source.executeIn(Clusters.DATABASE, Load.createTable(table));
    target.execute("CREATE DATABASE " + table);
    target.executeIn(table, Load.createTable(table));
    double seconds;
    try (NativeReplication replication = NativeReplication.start(ctx.clusters(), table, table)) {
      seconds = timeLoad(ctx, table, () -> {});
    }
    finish(ctx, "native", table, rep, seconds);
    source.executeIn(Clusters.DATABASE, "DROP TABLE public." + table);
    target.execute("DROP DATABASE " + table);
    return seconds;
  }

  /** Inserts the load and waits for its last row on the target; seconds from insert start. */
  private static double timeLoad(BenchContext ctx, String table, Runnable healthCheck)
      throws Exception {
    int rows = ctx.settings().rows();
    long start = System.nanoTime();
    Load.insert(ctx.clusters().source(), table, 1, rows, ctx.settings().rowsPerTransaction());
    double inserted = BenchContext.secondsSince(start);
    BenchContext.await(
        () -> {
          healthCheck.run();
          return Load.hasRow(ctx.clusters().target(), table, table, rows);
        },
        50,
        ctx.timeoutFor(rows),
        "all rows on the target");
    double seconds = BenchContext.secondsSince(start);
    ctx.results()
        .progress(
            String.format(
                "  %s: inserted in %.2f s, all on target at %.2f s", table, inserted, seconds));
    return seconds;
  }

  private static void finish(BenchContext ctx, String subject, String table, int rep, double s) {
    ctx.results()
        .check(
            NAME,
            subject,
            "rows on the target (rep " + rep + ")",
            ctx.settings().rows(),
            Load.count(ctx.clusters().target(), table, table));
  }
}
