package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.ShopWorkload;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: an embedded PostgreSQL source with a shop workload, captured into a journal,
 * with live progress. Needs nothing installed but Java.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run Sluice on an embedded default, with live progress.",
      "Starts an embedded PostgreSQL 17 source, runs a shop workload on it (inserts, updates,"
          + " deletes, large TOASTed documents) and captures it into a journal."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "Row operations the workload makes (default ${DEFAULT-VALUE}).")
  long rows = 20_000;

  @Option(
      names = "--exit-when-done",
      description = "Stop once every change is captured (for scripts).")
  boolean exitWhenDone;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Where to put the demo's configuration and journal (default: a new temporary directory).")
  Path dir;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path work =
        dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("sluice-demo-");
    out.println("sluice demo: starting an embedded PostgreSQL 17 source...");
    out.flush();
    try (PostgresCluster source = PostgresCluster.start("demo-source")) {
      source.execute("CREATE DATABASE shop");
      try (Connection connection = source.connect("shop")) {
        ShopWorkload.createSchema(connection);
      }
      Path config = work.resolve("sluice.yaml");
      Files.writeString(config, configuration(source, work));
      SluiceConfig loaded = new ConfigLoader(Map.of()).load(config);
      out.println(
          "  source:   " + source.jdbcUrl("shop") + " (tables customers, orders, documents)");
      out.println("  config:   " + config);
      out.println("  journal:  " + loaded.journal().dir());
      out.flush();
      try (Sidecar sidecar = Sidecar.start(loaded, new MetricRegistry(), event -> {})) {
        out.println("  dashboard: " + sidecar.monitorUri());
        out.flush();
        AtomicLong done = new AtomicLong();
        ShopWorkload workload = new ShopWorkload(42);
        CompletableFuture<Void> writes =
            CompletableFuture.runAsync(
                () -> {
                  try (Connection connection = source.connect("shop")) {
                    workload.run(connection, rows, done::set);
                  } catch (Exception e) {
                    throw new IllegalStateException(
                        "the demo workload failed: " + e.getMessage(), e);
                  }
                });
        Instant started = Instant.now();
        while (true) {
          long captured = sidecar.captureStatus().events();
          out.printf(
              "  workload %,d/%,d row changes · journal %,d changes (%,.0f/s) · slot lag %s%n",
              done.get(), rows, captured, sidecar.captureStatus().eventsPerSecond(), lag(sidecar));
          out.flush();
          if (writes.isDone() && captured >= done.get()) {
            writes.join();
            break;
          }
          if (sidecar.failure().isCompletedExceptionally()) {
            sidecar.failure().join();
          }
          TimeUnit.MILLISECONDS.sleep(1000);
        }
        Duration took = Duration.between(started, Instant.now());
        out.printf(
            "sluice demo: captured %,d changes in %.1f s; the last ones:%n",
            done.get(), took.toMillis() / 1000.0);
        lastChanges(sidecar, 5).forEach(line -> out.println("  " + line));
        out.println(
            "  see them all:  ./sluice tail --journal "
                + loaded.journal().dir()
                + " --format text");
        out.flush();
        if (!exitWhenDone) {
          out.println("sluice demo: running; press Ctrl-C to stop");
          out.flush();
          CompletableFuture<Void> stop = new CompletableFuture<>();
          Signals.onTerminate(() -> stop.complete(null));
          CompletableFuture.anyOf(stop, sidecar.failure()).join();
        }
      }
    }
    out.println("sluice demo: stopped");
    out.flush();
    return ExitCode.OK;
  }

  private static String configuration(PostgresCluster source, Path work) {
    return """
        # written by 'sluice demo'
        source:
          url: %s
          user: postgres
          tables: [public.customers, public.orders, public.documents]
          heartbeat: 2s
        journal:
          dir: %s
        monitor:
          port: 0
        """
        .formatted(source.jdbcUrl("shop"), work.resolve("journal"));
  }

  private static String lag(Sidecar sidecar) {
    long bytes = sidecar.captureStatus().walRetainedBytes();
    return bytes < 0 ? "?" : String.format("%,d KB", bytes / 1024);
  }

  private static Deque<String> lastChanges(Sidecar sidecar, int count) {
    Deque<String> lines = new ArrayDeque<>();
    long last = sidecar.journal().lastPosition();
    if (last == JournalPosition.NONE) {
      return lines;
    }
    try (JournalReader reader = sidecar.journal().reader()) {
      reader.seek(
          Math.max(
              sidecar.journal().firstPosition(), JournalPosition.backWithinDay(last, count * 4L)));
      for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
        if (entry instanceof ChangeEvent) {
          lines.addLast(TextFormat.format(entry));
          if (lines.size() > count) {
            lines.removeFirst();
          }
        }
      }
    }
    return lines;
  }
}
