package dev.sluice.bench;

import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 1: Sluice capture into the journal against {@code pg_recvlogical} (pgoutput) and against
 * the stock Debezium engine ({@link StockDebezium}), all reading the same WAL.
 *
 * <p>Per repetition: a new table and publication, and three slots created before the load, so every
 * side decodes exactly the same WAL; the load is inserted while no side reads; then each side reads
 * its slot to the end, the order rotating from one repetition to the next. Rows/s = rows the side
 * received / its time. Sluice's time runs from the moment its engine reads the slot (after {@code
 * Capture.start} returns) until the last row is journaled (and synced: {@code journal.sync:
 * batch}); pg_recvlogical's from its process start until it exits at the load's end LSN, its output
 * file written; the stock engine's from its task's start until its consumer received every row.
 * Every count is checked: the journal's change count, the insert messages parsed from
 * pg_recvlogical's output, the stock engine's records. For the two sides that run in this JVM, what
 * they cost is measured too ({@link CpuAndAllocation}): CPU seconds and megabytes allocated per
 * million rows, which the machine's other load barely moves.
 */
public final class CaptureScenario implements Scenario {
  static final String NAME = "capture";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Sluice capture into the journal vs pg_recvlogical (pgoutput) and stock Debezium, same"
        + " WAL";
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
    List<Double> stockRates = new ArrayList<>();
    List<Double> sluiceCpu = new ArrayList<>();
    List<Double> sluiceAllocated = new ArrayList<>();
    List<Double> stockCpu = new ArrayList<>();
    List<Double> stockAllocated = new ArrayList<>();
    for (int rep = 1; rep <= s.repetitions(); rep++) {
      String table = "cap_" + rep;
      String publication = "p_" + table;
      String sluiceSlot = "s_" + table;
      String recvSlot = "r_" + table;
      String stockSlot = "d_" + table;
      source.executeIn(
          Clusters.DATABASE,
          Load.createTable(table),
          "CREATE PUBLICATION " + publication + " FOR TABLE public." + table);
      source.executeIn(
          Clusters.DATABASE,
          "SELECT pg_create_logical_replication_slot('" + sluiceSlot + "', 'pgoutput')",
          "SELECT pg_create_logical_replication_slot('" + recvSlot + "', 'pgoutput')",
          "SELECT pg_create_logical_replication_slot('" + stockSlot + "', 'pgoutput')");
      long loadStart = System.nanoTime();
      Load.insert(source, table, 1, s.rows(), s.rowsPerTransaction());
      String endLsn = Load.currentLsn(source);
      results.progress(
          String.format(
              "  capture rep %d: %,d rows loaded in %.1f s (end LSN %s)",
              rep, s.rows(), BenchContext.secondsSince(loadStart), endLsn));
      // the sides take turns at going first: Sluice, pg_recvlogical, stock Debezium, then rotated
      for (int turn = 0; turn < 3; turn++) {
        switch ((turn + rep - 1) % 3) {
          case 0 -> {
            Side side = runSluice(ctx, table, sluiceSlot, publication, rep);
            sluiceRates.add(side.rowsPerSecond());
            sluiceCpu.add(side.cost().cpuSecondsPerMillion(s.rows()));
            sluiceAllocated.add(side.cost().megabytesPerMillion(s.rows()));
          }
          case 1 -> recvRates.add(runRecv(ctx, recv, recvSlot, publication, endLsn, rep));
          default -> {
            Side side = runStock(ctx, table, stockSlot, publication, rep);
            stockRates.add(side.rowsPerSecond());
            stockCpu.add(side.cost().cpuSecondsPerMillion(s.rows()));
            stockAllocated.add(side.cost().megabytesPerMillion(s.rows()));
          }
        }
      }
      Load.dropSlot(source, sluiceSlot);
      Load.dropSlot(source, recvSlot);
      Load.dropSlot(source, stockSlot);
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
    Measurement stock =
        results.add(
            NAME,
            STOCK,
            "rows/s",
            true,
            stockRates,
            "the same engine, default settings, JSON output into a consumer that discards it");
    results.compare(NAME, "rows/s", sluice, baseline);
    results.compare(NAME, "rows/s", sluice, stock);
    String cost = "this JVM's CPU time and Java threads' allocation, per million rows";
    Measurement cpu = results.add(NAME, "sluice", CPU_METRIC, false, sluiceCpu, cost);
    Measurement stockCpuFigure = results.add(NAME, STOCK, CPU_METRIC, false, stockCpu, cost);
    Measurement mb = results.add(NAME, "sluice", ALLOCATION_METRIC, false, sluiceAllocated, cost);
    Measurement stockMb = results.add(NAME, STOCK, ALLOCATION_METRIC, false, stockAllocated, cost);
    results.compare(NAME, CPU_METRIC, cpu, stockCpuFigure);
    results.compare(NAME, ALLOCATION_METRIC, mb, stockMb);
  }

  /** The stock engine's subject name. */
  static final String STOCK = "debezium";

  static final String CPU_METRIC = "CPU s per M rows";
  static final String ALLOCATION_METRIC = "MB alloc. per M rows";

  /** One side's rate and what it cost this JVM. */
  private record Side(double rowsPerSecond, CpuAndAllocation.Cost cost) {}

  private Side runSluice(BenchContext ctx, String table, String slot, String pub, int rep)
      throws Exception {
    int rows = ctx.settings().rows();
    Path dir = ctx.newDir("capture-" + rep);
    SluiceConfig config =
        SluicePipeline.load(
            SluiceYaml.capture(ctx.clusters().source(), table, dir.resolve("journal"))
                .withSlot(slot, pub));
    try (SluicePipeline pipeline = SluicePipeline.start(config)) {
      CpuAndAllocation before = CpuAndAllocation.now();
      java.time.LocalTime from = java.time.LocalTime.now();
      long start = System.nanoTime();
      BenchContext.await(
          () -> pipeline.captured() >= rows, 5, ctx.timeoutFor(rows), "Sluice capturing " + rows);
      double seconds = BenchContext.secondsSince(start);
      CpuAndAllocation.Cost cost = before.until(CpuAndAllocation.now());
      java.time.LocalTime to = java.time.LocalTime.now();
      ctx.results()
          .check(NAME, "sluice", "rows journaled (rep " + rep + ")", rows, pipeline.captured());
      ctx.results().progress(describe(rep, "sluice", seconds, rows, cost, from, to));
      return new Side(rows / seconds, cost);
    }
  }

  private Side runStock(BenchContext ctx, String table, String slot, String pub, int rep)
      throws Exception {
    int rows = ctx.settings().rows();
    Path dir = ctx.newDir("stock-" + rep);
    try (StockDebezium stock =
        StockDebezium.start(ctx.clusters().source(), table, slot, pub, dir)) {
      CpuAndAllocation before = CpuAndAllocation.now();
      java.time.LocalTime from = java.time.LocalTime.now();
      long start = System.nanoTime();
      BenchContext.await(
          () -> stock.changes() >= rows, 5, ctx.timeoutFor(rows), "Debezium reading " + rows);
      double seconds = BenchContext.secondsSince(start);
      CpuAndAllocation.Cost cost = before.until(CpuAndAllocation.now());
      java.time.LocalTime to = java.time.LocalTime.now();
      ctx.results().check(NAME, STOCK, "changes received (rep " + rep + ")", rows, stock.changes());
      ctx.results().progress(describe(rep, STOCK, seconds, rows, cost, from, to));
      return new Side(rows / seconds, cost);
    }
  }

  private static String describe(
      int rep,
      String subject,
      double seconds,
      int rows,
      CpuAndAllocation.Cost cost,
      java.time.LocalTime from,
      java.time.LocalTime to) {
    return String.format(
        "  capture rep %d: %s %.2f s (%s – %s); per million rows: %.2f CPU s, %.0f MB"
            + " allocated%n%s",
        rep,
        subject,
        seconds,
        from,
        to,
        cost.cpuSecondsPerMillion(rows),
        cost.megabytesPerMillion(rows),
        cost.describe(rows).stripTrailing());
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
