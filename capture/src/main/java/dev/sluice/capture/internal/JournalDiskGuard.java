package dev.sluice.capture.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps capture from writing the journal onto a full disk. The journal is memory-mapped: a write
 * into a page the filesystem cannot back kills the process (SIGBUS) instead of failing the write.
 * So before each batch the journal's filesystem must have {@link #MIN_FREE_BYTES} free; when it has
 * not, capture waits (the engine's queue fills, the slot does not advance and the source keeps the
 * WAL: nothing is lost) and says so once, then says so again when space returns.
 *
 * <p>Called on the engine's thread only.
 */
public final class JournalDiskGuard {
  private static final Logger LOG = LoggerFactory.getLogger(JournalDiskGuard.class);

  /**
   * The free space kept on the journal's filesystem: room for the journal to map its next blocks
   * (64 MB each) and its daily file's next cycle.
   */
  public static final long MIN_FREE_BYTES = 192L << 20;

  private static final long RECHECK_MILLIS = 500;

  private final Path dir;
  private final long minFree;
  private final BiConsumer<String, String> events;

  /**
   * @param dir the journal's directory
   * @param minFree bytes that must stay free
   * @param events receives {@code capture.error} when capture pauses and {@code capture.started}
   *     when it resumes, with a message
   */
  public JournalDiskGuard(Path dir, long minFree, BiConsumer<String, String> events) {
    this.dir = dir;
    this.minFree = minFree;
    this.events = events;
  }

  /**
   * Returns at once while there is room; otherwise waits until there is, or until {@code stopping}
   * says capture stops.
   *
   * @return whether there is room (false: capture is stopping and must not write)
   */
  public boolean awaitRoom(BooleanSupplier stopping) throws InterruptedException {
    long free = free();
    if (free >= minFree) {
      return true;
    }
    String paused =
        "the journal's disk ("
            + dir
            + ") has "
            + mb(free)
            + " free, less than the "
            + mb(minFree)
            + " Sluice keeps free: capture is paused (the source keeps the WAL; nothing is lost)"
            + " until space is freed there";
    LOG.warn("{}", paused);
    events.accept("capture.error", paused);
    while (free < minFree) {
      if (stopping.getAsBoolean()) {
        return false;
      }
      Thread.sleep(RECHECK_MILLIS);
      free = free();
    }
    String resumed = "the journal's disk has " + mb(free) + " free again: capture resumes";
    LOG.info("{}", resumed);
    events.accept("capture.started", resumed);
    return true;
  }

  private long free() {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      LOG.warn("cannot read the free space of {}: {}", dir, e.getMessage());
      return Long.MAX_VALUE; // not knowing is no reason to stop capturing
    }
  }

  private static String mb(long bytes) {
    return (bytes >> 20) + " MB";
  }
}
