package dev.sluice.demo;

import com.codahale.metrics.MetricRegistry;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sluice.apply.RuleStatus;
import dev.sluice.apply.Verifier;
import dev.sluice.cli.ExitCode;
import dev.sluice.cli.Sidecar;
import dev.sluice.cli.Signals;
import dev.sluice.cli.VerifyCommand;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.ShopWorkload;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: everything embedded. A PostgreSQL 17 source with a shop workload, captured
 * into a journal and applied by three rules: into a second PostgreSQL (mirror), a SQLite file and
 * an in-process MongoDB wire server; live progress per rule, then a row-by-row comparison of the
 * source and every target. Needs nothing installed but Java.
 *
 * <p>It lives apart from the command line's own module, with the embedded PostgreSQL and the
 * MongoDB wire server it starts, so that the sidecar's jar, {@code lib/} and image hold none of
 * them; {@link DemoMain} is the command line with this command added.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run Sluice on an embedded default, with live progress.",
      "Starts an embedded PostgreSQL 17 source with a shop workload (inserts, updates, deletes, large"
          + " TOASTed documents), captures it, applies it into an embedded PostgreSQL, a SQLite file and"
          + " an in-process MongoDB wire server, and compares the source with every target row by row."
    })
final class DemoCommand implements Callable<Integer> {
  private static final String SOURCE_ROWS =
      "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders)"
          + " + (SELECT count(*) FROM documents)";

  @Option(
      names = "--rows",
      paramLabel = "N",
      description =
          "Row changes the workload makes (default ${DEFAULT-VALUE}); a tenth of them before"
              + " capture starts, which its snapshot copies.")
  long rows = 20_000;

  @Option(
      names = "--exit-when-done",
      description = "Exit once every target is verified (exit code 1 if one differs).")
  boolean exitWhenDone;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Where to put the demo's configuration, journal and SQLite file (default: a new temporary directory).")
  Path dir;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path work =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sluice-demo-");
    out.println(
        "sluice demo: starting an embedded PostgreSQL 17 source and target, and a MongoDB wire server...");
    out.flush();
    MongoServer mongo = new MongoServer(new MemoryBackend());
    try (PostgresCluster source = PostgresCluster.start("demo-source");
        PostgresCluster target = PostgresCluster.start("demo-target")) {
      InetSocketAddress mongoAddress = mongo.bind();
      source.execute("CREATE DATABASE shop");
      target.execute("CREATE DATABASE shop_copy");
      ShopWorkload workload = new ShopWorkload(42);
      long snapshotRows;
      try (Connection connection = source.connect("shop")) {
        ShopWorkload.createSchema(connection);
        // a tenth of the workload before capture starts: the snapshot copies those rows (the
        // mirror rule's copy), the rest is streamed
        workload.run(connection, rows / 10, done -> {});
        snapshotRows = ((Number) source.queryIn("shop", SOURCE_ROWS).get(0).get(0)).longValue();
      }
      Path config = work.resolve("sluice.yaml");
      Files.writeString(config, configuration(source, target, mongoAddress, work));
      SluiceConfig loaded = new ConfigLoader(Map.of()).load(config);
      out.println("  source:  " + source.jdbcUrl("shop") + "  (customers, orders, documents)");
      out.println(
          "  targets: "
              + target.jdbcUrl("shop_copy")
              + ", "
              + work.resolve("shop.db")
              + ", mongodb://"
              + mongoAddress.getHostString()
              + ":"
              + mongoAddress.getPort()
              + "/shop");
      out.println("  config:  " + config);
      out.flush();
      int exit;
      try (Sidecar sidecar = Sidecar.start(loaded, new MetricRegistry(), Sidecar.Listeners.NONE)) {
        out.println("  dashboard: " + sidecar.monitorUri());
        out.flush();
        exit = runWorkload(out, source, sidecar, workload, snapshotRows);
        if (exit == ExitCode.OK && !exitWhenDone) {
          out.println(
              "sluice demo: running; make changes in "
                  + source.jdbcUrl("shop")
                  + " (user postgres) and watch them arrive; Ctrl-C stops");
          out.flush();
          CompletableFuture<Void> stop = new CompletableFuture<>();
          Signals.onTerminate(() -> stop.complete(null));
          CompletableFuture.anyOf(stop, sidecar.failure()).join();
        }
      }
      out.println("sluice demo: stopped (journal kept in " + loaded.journal().dir() + ")");
      out.flush();
      return exit;
    } finally {
      mongo.shutdownNow();
    }
  }

  /**
   * Runs the rest of the workload, with a progress line a second until every change is journaled
   * and applied, then verifies every rule.
   *
   * @param snapshotRows the rows the snapshot reads (written before capture started)
   */
  private int runWorkload(
      PrintWriter out,
      PostgresCluster source,
      Sidecar sidecar,
      ShopWorkload workload,
      long snapshotRows)
      throws Exception {
    long beforeCapture = workload.operations();
    AtomicLong done = new AtomicLong(beforeCapture);
    CompletableFuture<Void> writes =
        CompletableFuture.runAsync(
            () -> {
              try (Connection connection = source.connect("shop")) {
                workload.run(connection, rows, done::set);
              } catch (Exception e) {
                throw new IllegalStateException("the demo workload failed: " + e.getMessage(), e);
              }
            });
    Instant started = Instant.now();
    int quiet = 0;
    while (quiet < 2) {
      TimeUnit.MILLISECONDS.sleep(1000);
      if (sidecar.failure().isCompletedExceptionally()) {
        sidecar.failure().join();
      }
      long captured = sidecar.captureStatus().events();
      StringBuilder line =
          new StringBuilder(
              String.format(
                  "  %5.1fs  workload %,d/%,d  journal %,d (%,.0f/s)",
                  Duration.between(started, Instant.now()).toMillis() / 1000.0,
                  done.get(),
                  rows,
                  captured,
                  sidecar.captureStatus().eventsPerSecond()));
      boolean caughtUp = writes.isDone() && captured >= snapshotRows + done.get() - beforeCapture;
      for (RuleStatus rule : sidecar.ruleStatus()) {
        line.append(
            String.format(
                "  |  %s %s lag %,d",
                rule.rule(),
                rule.state().name().toLowerCase(java.util.Locale.ROOT),
                rule.lagChanges()));
        caughtUp &= rule.lagChanges() == 0;
      }
      out.println(line);
      out.flush();
      quiet = caughtUp ? quiet + 1 : 0;
    }
    writes.join();
    out.printf(
        "sluice demo: %,d row changes captured and applied in %.1f s; comparing source and targets row by row...%n",
        done.get(), Duration.between(started, Instant.now()).toMillis() / 1000.0);
    out.flush();
    boolean equal = true;
    List<String> summary = new ArrayList<>();
    for (var rule : sidecar.config().rules()) {
      Verifier.Report report =
          VerifyCommand.verify(
              sidecar.config(),
              rule.name(),
              Optional.empty(),
              Duration.ofSeconds(60),
              new PrintWriter(java.io.Writer.nullWriter()));
      VerifyCommand.print(report, out);
      equal &= report.equal();
      summary.add(rule.name() + (report.equal() ? " equal" : " DIFFERENT"));
    }
    out.println("sluice demo: " + String.join(", ", summary));
    out.flush();
    return equal ? ExitCode.OK : ExitCode.FAILURE;
  }

  private static String configuration(
      PostgresCluster source, PostgresCluster target, InetSocketAddress mongo, Path work) {
    return """
        # written by 'sluice demo'
        source:
          url: %s
          user: postgres
          tables: [public.customers, public.orders, public.documents]
          heartbeat: 2s
        journal:
          dir: %s
        targets:
          copy:   { url: "%s", user: postgres }
          local:  { url: "jdbc:sqlite:%s" }
          mongo:  { url: "mongodb://%s:%d/shop" }
        rules:
          - { name: pg-to-pg, target: copy, mode: mirror }
          - { name: pg-to-sqlite, target: local }
          - { name: pg-to-mongo, target: mongo, excludeColumns: { public.customers: [email] } }
        monitor:
          port: 0
        """
        .formatted(
            source.jdbcUrl("shop"),
            work.resolve("journal"),
            target.jdbcUrl("shop_copy"),
            work.resolve("shop.db"),
            mongo.getHostString(),
            mongo.getPort());
  }
}
