package dev.sluice.bench;

import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 1: Sluice capture into the journal against {@code pg_recvlogical} (pgoutput) reading the
 * same WAL.
 *
 * <p>Per repetition: a new table and publication, and two slots created before the load, so both
 * sides decode exactly the same WAL; the load is inserted while neither side reads; then each side
 * reads its slot to the end, in alternating order. Rows/s = rows the side received / its time.
 * Sluice's time runs from the moment its engine reads the slot (after {@code Capture.start}
 * returns) until the last row is journaled (and synced: {@code journal.sync: batch});
 * pg_recvlogical's from its process start until it exits at the load's end LSN, its output file
 * written. Both counts are checked: the journal's change count, and the insert messages parsed from
 * pg_recvlogical's output.
 */
public final class CaptureScenario implements Scenario {
  static final String NAME = "capture";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Sluice capture into the journal vs pg_recvlogical (pgoutput), same WAL";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    if (ctx.settings().warmUp()) {
      measure(ctx.warmUp());
    }
    measure(ctx);
  }

  private void measure(BenchContext ctx) throws Exception {
    Results results = ctx.results();
    BenchSettings s = ctx.settings();
    PostgresCluster source = ctx.clusters().source();
    PgRecvLogical recv =
        PgRecvLogical.find()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "pg_recvlogical not found: install postgresql-client, or set"
                            + " SLUICE_BENCH_PG_RECVLOGICAL"));
    List<Double> sluiceRates = new ArrayList<>();
    List<Double> recvRates = new ArrayList<>();
    for (int rep = 1; rep <= s.repetitions(); rep++) {
      String table = "cap_" + rep;
      String publication = "p_" + table;
      String sluiceSlot = "s_" + table;
      String recvSlot = "r_" + table;
      source.executeIn(
          Clusters.DATABASE,
          Load.createTable(table),
          "CREATE PUBLICATION " + publication + " FOR TABLE public." + table);
      source.executeIn(
          Clusters.DATABASE,
          "SELECT pg_create_logical_replication_slot('" + sluiceSlot + "', 'pgoutput')",
          "SELECT pg_create_logical_replication_slot('" + recvSlot + "', 'pgoutput')");
      long loadStart = System.nanoTime();
      Load.insert(source, table, 1, s.rows(), s.rowsPerTransaction());
      String endLsn = Load.currentLsn(source);
      results.progress(
          String.format(
              "  capture rep %d: %,d rows loaded in %.1f s (end LSN %s)",
              rep, s.rows(), BenchContext.secondsSince(loadStart), endLsn));
      boolean sluiceFirst = rep % 2 == 1;
      for (int side = 0; side < 2; side++) {
        if ((side == 0) == sluiceFirst) {
          sluiceRates.add(runSluice(ctx, table, sluiceSlot, publication, rep));
        } else {
          recvRates.add(runRecv(ctx, recv, recvSlot, publication, endLsn, rep));
        }
      }
      Load.dropSlot(source, sluiceSlot);
      Load.dropSlot(source, recvSlot);
      source.executeIn(
          Clusters.DATABASE, "DROP PUBLICATION " + publication, "DROP TABLE public." + table);
    }
    Measurement sluice =
        results.add(
            NAME,
            "sluice",
            "rows/s",
            true,
            sluiceRates,
            "engine reading the slot until the last row is journaled and synced");
    Measurement baseline =
        results.add(
            NAME,
            "pg_recvlogical",
            "rows/s",
            true,
            recvRates,
            recv.binary() + ", process start until exit at the load's end LSN");
    results.compare(NAME, "rows/s", sluice, baseline);
  }

  private double runSluice(BenchContext ctx, String table, String slot, String pub, int rep)
      throws Exception {
    int rows = ctx.settings().rows();
    Path dir = ctx.newDir("capture-" + rep);
    SluiceConfig config =
        SluicePipeline.load(
            SluiceYaml.capture(ctx.clusters().source(), table, dir.resolve("journal"))
                .withSlot(slot, pub));
    try (SluicePipeline pipeline = SluicePipeline.start(config)) {
      long start = System.nanoTime();
      BenchContext.await(
          () -> pipeline.captured() >= rows, 5, ctx.timeoutFor(rows), "Sluice capturing " + rows);
      double seconds = BenchContext.secondsSince(start);
      ctx.results()
          .check(NAME, "sluice", "rows journaled (rep " + rep + ")", rows, pipeline.captured());
      ctx.results().progress(String.format("  capture rep %d: sluice %.2f s", rep, seconds));
      return rows / seconds;
    }
  }

  private double runRecv(
      BenchContext ctx, PgRecvLogical recv, String slot, String pub, String endLsn, int rep)
      throws Exception {
    int rows = ctx.settings().rows();
    Path out = ctx.newDir("recvlogical-" + rep).resolve("changes.bin");
    long start = System.nanoTime();
    recv.read(ctx.clusters().source(), slot, pub, endLsn, out, ctx.timeoutFor(rows).toSeconds());
    double seconds = BenchContext.secondsSince(start);
    PgOutputCounter.Counts counts = PgOutputCounter.count(out);
    ctx.results()
        .check(NAME, "pg_recvlogical", "insert messages (rep " + rep + ")", rows, counts.inserts());
    ctx.results().progress(String.format("  capture rep %d: pg_recvlogical %.2f s", rep, seconds));
    java.nio.file.Files.deleteIfExists(out);
    return counts.inserts() / seconds;
  }
}
