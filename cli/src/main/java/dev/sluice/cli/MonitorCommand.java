package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.MonitorConfig;
import dev.sluice.config.Secret;
import dev.sluice.config.SetupException;
import dev.sluice.monitor.ActivityFeed;
import dev.sluice.monitor.MonitorServer;
import dev.sluice.monitor.StateFileView;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice monitor --state FILE}: the dashboard and API of a sidecar, drawn from its state
 * file alone (no database, no journal), reloaded when the file changes. Read-only: no action is
 * served.
 */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the dashboard and API from a state file alone.",
      "Reads the state file that 'sluice run' writes (state: in the configuration), reloads it"
          + " when it changes, and serves the same page, API and metrics, read-only, with no"
          + " database connection. Stops on SIGTERM or Ctrl-C."
    })
final class MonitorCommand implements Callable<Integer> {
  /** How often the file is checked for changes. */
  static final Duration RELOAD_CHECK = Duration.ofSeconds(1);

  @Option(
      names = "--state",
      paramLabel = "FILE",
      required = true,
      description = "The state file (sluice-state.json next to the configuration by default).")
  Path state;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description =
          "The address to bind (default ${DEFAULT-VALUE}); anything but a loopback address needs"
              + " a token.")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "The port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = 14499;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:SLUICE_TOKEN}",
      description =
          "The bearer token every request must carry (default: $SLUICE_TOKEN; prefer the variable,"
              + " as a command line is visible to other users).")
  String token;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new SetupException("--port must be from 0 to 65535, not " + port);
    }
    ActivityFeed feed = new ActivityFeed();
    StateFileView view;
    try {
      view = StateFileView.open(state, feed);
    } catch (UncheckedIOException | IllegalArgumentException e) {
      throw new SetupException(
          e.getMessage() + " ('sluice run' writes it every monitor.poll to the path in state:)", e);
    }
    MonitorConfig config =
        new MonitorConfig(
            host,
            port,
            token == null || token.isEmpty() ? null : Secret.of(token),
            view.snapshot().poll());
    ScheduledExecutorService reloads =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-state-reload");
              thread.setDaemon(true);
              return thread;
            });
    try (MonitorServer server =
        MonitorServer.builder(config, view, feed, new MetricRegistry())
            .origin("read-only · " + state.toAbsolutePath().normalize())
            .start()) {
      reloads.scheduleWithFixedDelay(
          view::refresh, RELOAD_CHECK.toMillis(), RELOAD_CHECK.toMillis(), TimeUnit.MILLISECONDS);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "sluice monitor: "
              + server.uri()
              + (config.token() == null ? "" : "?token=…")
              + " (read-only view of "
              + state
              + "); press Ctrl-C to stop");
      out.flush();
      CompletableFuture<Void> stop = new CompletableFuture<>();
      Signals.onTerminate(() -> stop.complete(null));
      stop.join();
    } finally {
      reloads.shutdownNow();
    }
    return ExitCode.OK;
  }
}
