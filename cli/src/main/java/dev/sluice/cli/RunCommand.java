package dev.sluice.cli;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.SluiceConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sluice run -c FILE}: the sidecar, until SIGTERM or Ctrl-C. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the sidecar until stopped.",
      "Captures the source into the journal. Stops cleanly on SIGTERM or Ctrl-C: the last batch is"
          + " journaled and the source position stored. SIGHUP reloads the file (as sluice reload"
          + " does)."
    })
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    SluiceConfig loaded = config.load();
    // installed before anything starts: a signal during start-up stops the sidecar once it is up
    CompletableFuture<Void> stopRequested = new CompletableFuture<>();
    Signals.onTerminate(
        () -> {
          LOG.info("stopping (signal received)");
          stopRequested.complete(null);
        });
    Sidecar sidecar =
        Sidecar.start(
            loaded,
            new MetricRegistry(),
            new Sidecar.Listeners(
                event -> LOG.info("{}: {}", event.type(), event.message()),
                event -> LOG.info("{} [{}]: {}", event.type(), event.rule(), event.message()),
                event -> LOG.info("{}", event)));
    boolean hangup =
        Signals.onHangup(
            () -> {
              LOG.info("reloading {} (SIGHUP)", loaded.file());
              try {
                List<String> changed = sidecar.reload();
                LOG.info(
                    "reload of {}: {}",
                    loaded.file(),
                    changed.isEmpty() ? "nothing changed" : String.join("; ", changed));
              } catch (RuntimeException e) {
                LOG.error("reload of {} changed nothing: {}", loaded.file(), e.getMessage());
              }
            });
    if (!hangup) {
      LOG.warn(
          "SIGHUP does not reload here: this process was started with SIGHUP ignored (as nohup"
              + " does) or the JVM has no signal API; reload with `sluice reload -c {}` or POST"
              + " /api/reload",
          loaded.file());
    }
    SnapshotProgress.watch(sidecar::captureStatus, Duration.ofSeconds(5));
    LOG.info(
        "sluice is running: {} tables from {} into {}, {} rules",
        sidecar.captureStatus().tables(),
        loaded.source().parsedUrl().host()
            + ":"
            + loaded.source().parsedUrl().port()
            + "/"
            + loaded.source().parsedUrl().database(),
        loaded.journal().dir(),
        loaded.rules().size());
    try {
      CompletableFuture.anyOf(stopRequested, sidecar.failure()).join();
    } catch (CompletionException e) {
      sidecar.close();
      throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
    }
    sidecar.close();
    LOG.info("stopped cleanly");
    return ExitCode.OK;
  }
}
