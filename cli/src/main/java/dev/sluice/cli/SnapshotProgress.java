package dev.sluice.cli;

import dev.sluice.capture.CaptureStatus;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of the snapshot that {@code sluice run} takes at its first start: while capture is
 * {@link CaptureStatus.State#SNAPSHOTTING}, a log line every few seconds with the rows read so far
 * and the rate, and one when it is done. It stops by itself once capture streams (or stops), on a
 * daemon thread of its own.
 */
final class SnapshotProgress implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotProgress.class);

  private final Supplier<CaptureStatus> status;
  private final ScheduledExecutorService timer;
  private final long startedNanos = System.nanoTime();
  private boolean snapshotting;

  private SnapshotProgress(Supplier<CaptureStatus> status, ScheduledExecutorService timer) {
    this.status = status;
    this.timer = timer;
  }

  /** Starts watching capture's status every {@code every}. */
  static void watch(Supplier<CaptureStatus> status, Duration every) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "sluice-snapshot-progress");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleWithFixedDelay(
        new SnapshotProgress(status, timer), 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    try {
      CaptureStatus now = status.get();
      switch (now.state()) {
        case STARTING -> {}
        case SNAPSHOTTING -> {
          snapshotting = true;
          LOG.info(
              "snapshot: {} rows read, {}/s",
              String.format("%,d", now.events()),
              String.format("%,.0f", now.eventsPerSecond()));
        }
        default -> {
          if (snapshotting) {
            LOG.info(
                "snapshot: done, {} rows in {} s; streaming changes",
                String.format("%,d", now.events()),
                String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9));
          }
          timer.shutdown();
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("snapshot progress: {}", e.toString());
      timer.shutdown();
    }
  }
}
