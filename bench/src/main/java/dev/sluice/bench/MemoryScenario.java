package dev.sluice.bench;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 6: memory of the real sidecar ({@code sluice run}, cli's {@code Main}, in a child JVM
 * with {@code -Xmx256m}): first while it carries the end-to-end load into PostgreSQL, then with a
 * backlog built while the target is stopped, and drained when it is back.
 *
 * <p>Heap high-water mark: the largest "used before" figure of the child's GC log ({@code
 * -Xlog:gc}, G1): the heap is fullest just before a collection. RSS: {@code VmHWM} (peak resident
 * set) from {@code /proc/PID/status}, read at the end of each phase; it counts the pages of the
 * journal's memory-mapped files the process touched (page cache, which the kernel reclaims under
 * pressure), so {@code RssAnon} (the process's own memory: heap, native, stacks) is reported beside
 * it, at the end. Drain time: from the target's restart until it has the backlog's last row.
 */
public final class MemoryScenario implements Scenario {
  static final String NAME = "memory";
  private static final Pattern GC_LINE = Pattern.compile("Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "heap and RSS of the sidecar (-Xmx256m) under the e2e load, and a drained backlog";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    PostgresCluster source = ctx.clusters().source();
    PostgresCluster target = ctx.clusters().target();
    int rows = ctx.settings().rows();
    int backlog = ctx.settings().backlogRows();
    String table = "mem_1";
    source.executeIn(Clusters.DATABASE, Load.createTable(table));
    target.execute("CREATE DATABASE " + table);
    target.executeIn(table, Load.createTable(table));
    Path dir = ctx.newDir(table);
    SluiceYaml yaml =
        SluiceYaml.capture(source, table, dir.resolve("journal"))
            .withTarget(target.jdbcUrl(table), "postgres");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, yaml.text());
    Path gcLog = dir.resolve("gc.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseG1GC");
    command.add("-Xlog:gc:file=" + gcLog);
    command.addAll(JvmFlags.CHRONICLE);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.sluice.cli.Main",
            "run",
            "-c",
            config.toString()));
    Process sidecar =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sidecar.log").toFile())
            .start();
    try {
      BenchContext.await(
          () -> {
            if (!sidecar.isAlive()) {
              throw new IllegalStateException(
                  "the sidecar exited: " + tail(dir.resolve("sidecar.log")));
            }
            return source
                .queryValue(
                    "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '"
                        + yaml.slot()
                        + "'")
                .equals(1L);
          },
          100,
          java.time.Duration.ofMinutes(2),
          "the sidecar's capture starting");
      // phase 1: the end-to-end load
      long start = System.nanoTime();
      Load.insert(source, table, 1, rows, ctx.settings().rowsPerTransaction());
      awaitRow(ctx, sidecar, dir, table, rows, rows);
      double loadSeconds = BenchContext.secondsSince(start);
      double heapLoad = heapPeakMegabytes(gcLog);
      double hwmLoad = procStatusMegabytes(sidecar.pid(), "VmHWM");
      ctx.results()
          .progress(
              String.format(
                  "  memory: %,d rows in %.1f s; heap peak %.0f MB, RSS peak %.0f MB",
                  rows, loadSeconds, heapLoad, hwmLoad));
      // phase 2: a backlog with the target stopped, then drained
      target.stop();
      start = System.nanoTime();
      Load.insert(source, table, rows + 1L, backlog, ctx.settings().rowsPerTransaction());
      awaitJournaled(ctx, dir.resolve("journal"), rows + (long) backlog, backlog);
      double buildSeconds = BenchContext.secondsSince(start);
      target.startServer();
      start = System.nanoTime();
      awaitRow(ctx, sidecar, dir, table, rows + (long) backlog, backlog);
      double drainSeconds = BenchContext.secondsSince(start);
      double heapAll = heapPeakMegabytes(gcLog);
      double hwmAll = procStatusMegabytes(sidecar.pid(), "VmHWM");
      double rssEnd = procStatusMegabytes(sidecar.pid(), "VmRSS");
      double anonEnd = procStatusMegabytes(sidecar.pid(), "RssAnon");
      ctx.results()
          .check(
              NAME,
              "sidecar",
              "rows on the target after the drain",
              rows + (long) backlog,
              Load.count(target, table, table));
      ctx.results()
          .progress(
              String.format(
                  "  memory: backlog of %,d journaled in %.1f s, drained in %.1f s",
                  backlog, buildSeconds, drainSeconds));
      String load = String.format("sluice run, -Xmx256m, e2e load of %,d rows", rows);
      String back = String.format("backlog of %,d changes, target stopped, then drained", backlog);
      ctx.results().add(NAME, "sidecar", "heap peak MB (load)", false, List.of(heapLoad), load);
      ctx.results().add(NAME, "sidecar", "RSS peak MB (load)", false, List.of(hwmLoad), load);
      ctx.results().add(NAME, "sidecar", "heap peak MB (backlog)", false, List.of(heapAll), back);
      ctx.results().add(NAME, "sidecar", "RSS peak MB (backlog)", false, List.of(hwmAll), back);
      ctx.results().add(NAME, "sidecar", "RSS MB at end", false, List.of(rssEnd), back);
      ctx.results()
          .add(
              NAME,
              "sidecar",
              "RssAnon MB at end",
              false,
              List.of(anonEnd),
              back + "; no file pages");
      ctx.results().add(NAME, "sidecar", "drain seconds", false, List.of(drainSeconds), back);
      ctx.results()
          .add(NAME, "sidecar", "drain changes/s", true, List.of(backlog / drainSeconds), back);
    } finally {
      target.startServer();
      sidecar.destroy(); // SIGTERM: the sidecar stops cleanly
      if (!sidecar.waitFor(60, TimeUnit.SECONDS)) {
        sidecar.destroyForcibly();
      }
    }
    Load.dropSlot(source, yaml.slot());
    source.executeIn(
        Clusters.DATABASE, "DROP PUBLICATION " + yaml.publication(), "DROP TABLE public." + table);
    target.execute("DROP DATABASE " + table);
  }

  private static void awaitRow(
      BenchContext ctx, Process sidecar, Path dir, String table, long id, long rows)
      throws InterruptedException {
    BenchContext.await(
        () -> {
          if (!sidecar.isAlive()) {
            throw new IllegalStateException(
                "the sidecar exited: " + tail(dir.resolve("sidecar.log")));
          }
          return Load.hasRow(ctx.clusters().target(), table, table, id);
        },
        100,
        ctx.timeoutFor(rows),
        "row " + id + " on the target");
  }

  /** Waits until the journal's last entry is the change of row {@code lastId}. */
  private static void awaitJournaled(BenchContext ctx, Path journalDir, long lastId, long rows)
      throws InterruptedException {
    try (Journal journal = Journal.openReadOnly(journalDir)) {
      BenchContext.await(
          () -> {
            long last = journal.lastPosition();
            if (last == JournalPosition.NONE) {
              return false;
            }
            try (JournalReader reader = journal.reader().seek(last)) {
              JournalEntry entry = reader.next();
              return entry instanceof ChangeEvent change
                  && change.after() != null
                  && Long.valueOf(lastId).equals(change.after()[0]);
            }
          },
          200,
          ctx.timeoutFor(rows),
          "the backlog journaled");
    }
  }

  /** The largest heap occupancy before a collection in a {@code -Xlog:gc} file, in MB. */
  static double heapPeakMegabytes(Path gcLog) throws IOException {
    double peak = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_LINE.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Double.parseDouble(m.group(1)));
      }
    }
    return peak;
  }

  private static double procStatusMegabytes(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    throw new IOException(field + " not in /proc/" + pid + "/status");
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
