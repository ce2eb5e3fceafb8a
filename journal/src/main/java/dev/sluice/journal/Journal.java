package dev.sluice.journal;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SetupException;
import dev.sluice.config.SyncPolicy;
import dev.sluice.journal.internal.EntryCodec;
import dev.sluice.journal.internal.MarkerIndex;
import dev.sluice.journal.internal.SchemaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local, durable, replayable record of every captured change: a Chronicle Queue with one entry
 * per change, in source commit order, in daily files.
 *
 * <p>Layout of the directory: {@code queue/} (the daily files), {@code schemas.bin} (table schema
 * versions, see {@link SchemaStore}), {@code sluice.lock} (held by the one writer). Other processes
 * may read it while it is written ({@code sluice tail --follow}).
 *
 * <p>Thread-safe; its {@link JournalReader}s and the {@link JournalWriter} are not.
 */
public final class Journal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final DateTimeFormatter DAY_FILE = DateTimeFormatter.ofPattern("yyyyMMdd");

  private final Path dir;
  private final SingleChronicleQueue queue;
  private final SchemaStore schemas;
  private final MarkerIndex markers;
  private final boolean readOnly;
  private final SyncPolicy sync;
  private JournalWriter writer;

  private Journal(
      Path dir,
      SingleChronicleQueue queue,
      SchemaStore schemas,
      boolean readOnly,
      SyncPolicy sync) {
    this.dir = dir;
    this.queue = queue;
    this.schemas = schemas;
    this.markers = new MarkerIndex(dir.resolve("markers.bin"), !readOnly);
    this.readOnly = readOnly;
    this.sync = sync;
  }

  /**
   * Opens (creating when absent) a journal for writing and reading.
   *
   * @throws SetupException when the directory cannot be created or written
   */
  public static Journal open(JournalConfig config) {
    return open(config, java.time.Clock.systemUTC());
  }

  /**
   * Opens a journal whose daily files follow {@code clock} (tests use it to write on other days).
   *
   * @throws SetupException when the directory cannot be created or written
   */
  public static Journal open(JournalConfig config, java.time.Clock clock) {
    Path dir = config.dir();
    try {
      createOwnerOnly(dir);
      Files.createDirectories(dir.resolve("queue"));
      Path probe = Files.createTempFile(dir, ".write-check", "");
      Files.delete(probe);
    } catch (AccessDeniedException e) {
      throw new SetupException(
          "the journal directory "
              + dir
              + " is not writable (journal.dir); fix its permissions or choose another");
    } catch (FileAlreadyExistsException e) {
      throw new SetupException(
          "cannot use the journal directory "
              + dir
              + " (journal.dir): "
              + e.getFile()
              + " exists and is not a directory; choose another journal.dir",
          e);
    } catch (FileSystemException e) {
      throw new SetupException(
          "cannot use the journal directory "
              + dir
              + " (journal.dir): "
              + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason())
              + (e.getFile() == null ? "" : " (" + e.getFile() + ")"),
          e);
    } catch (IOException e) {
      throw new SetupException(
          "cannot use the journal directory " + dir + " (journal.dir): " + e.getMessage(), e);
    }
    SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
            .rollCycle(JournalPosition.ROLL_CYCLE)
            .syncMode(config.sync() == SyncPolicy.BATCH ? SyncMode.SYNC : SyncMode.NONE)
            .timeProvider(clock::millis)
            .build();
    return new Journal(
        dir, queue, new SchemaStore(dir.resolve("schemas.bin"), true), false, config.sync());
  }

  /**
   * Creates the journal directory readable by its owner only ({@code rwx------}): it holds a copy
   * of every captured row. A directory that exists keeps the permissions its owner gave it.
   */
  private static void createOwnerOnly(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      exposure(dir).ifPresent(warning -> LOG.warn("{}", warning));
      return;
    }
    for (Path up = dir.toAbsolutePath(); up != null; up = up.getParent()) {
      if (Files.exists(up)) {
        if (!Files.isDirectory(up)) {
          throw new FileAlreadyExistsException(up.toString());
        }
        break;
      }
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } else {
      Files.createDirectories(dir);
    }
  }

  /**
   * What is wrong with an existing journal directory that others than its owner may read or enter
   * (it holds a copy of every captured row), with the command that fixes it; empty when only its
   * owner can, or the file system has no POSIX permissions.
   */
  static Optional<String> exposure(Path dir) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(dir);
    } catch (UnsupportedOperationException e) {
      return Optional.empty();
    }
    Set<PosixFilePermission> others = EnumSet.copyOf(permissions);
    others.removeAll(
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE));
    if (others.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "the journal directory "
            + dir
            + " is "
            + PosixFilePermissions.toString(permissions)
            + ": other users can read the copy of every captured row it holds; fix: chmod 700 "
            + dir);
  }

  /**
   * Opens an existing journal for reading only; needs no lock, so it works while a sidecar writes.
   *
   * @throws SetupException when there is no journal in the directory
   */
  public static Journal openReadOnly(Path dir) {
    if (!Files.isDirectory(dir.resolve("queue"))
        || !Files.exists(dir.resolve("queue/metadata.cq4t"))) {
      throw new SetupException(
          "no journal in "
              + dir
              + " (it is created by 'sluice run'; check journal.dir or --journal)");
    }
    SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(dir.resolve("queue"))
            .rollCycle(JournalPosition.ROLL_CYCLE)
            .readOnly(true)
            .build();
    return new Journal(
        dir, queue, new SchemaStore(dir.resolve("schemas.bin"), false), true, SyncPolicy.NONE);
  }

  public Path dir() {
    return dir;
  }

  /**
   * The journal's only writer, created on first call. It holds the directory's lock until closed.
   *
   * @throws SetupException when another process writes this journal
   */
  public synchronized JournalWriter writer() {
    if (readOnly) {
      throw new IllegalStateException("the journal " + dir + " is open read-only");
    }
    if (writer == null) {
      writer =
          new JournalWriter(
              this, queue.createAppender(), schemas, markers, sync == SyncPolicy.BATCH);
    }
    return writer;
  }

  /** A new reader at the journal's start. Use it from one thread at a time. */
  public JournalReader reader() {
    return new JournalReader(this, queue.createTailer(), schemas);
  }

  /** Every marker still in the journal, oldest first. */
  public List<Marker> markers() {
    long first = firstPosition();
    return markers.all().stream()
        .filter(m -> first != JournalPosition.NONE && m.position() >= first)
        .toList();
  }

  /**
   * The newest position that readers in this process may act on: what is synced to disk, when this
   * process writes the journal; else the last position.
   */
  public long durablePosition() {
    JournalWriter current;
    synchronized (this) {
      current = writer;
    }
    return current != null ? current.durablePosition() : lastPosition();
  }

  /** How many entries lie after {@code from} up to and including {@code to} (0 when none). */
  public long distance(long from, long to) {
    if (to == JournalPosition.NONE || (from != JournalPosition.NONE && from >= to)) {
      return 0;
    }
    long start = from == JournalPosition.NONE ? firstPosition() : from;
    if (start == JournalPosition.NONE) {
      return 0;
    }
    int fromCycle = JournalPosition.cycle(start);
    int toCycle = JournalPosition.cycle(to);
    long count =
        JournalPosition.sequence(to)
            - (from == JournalPosition.NONE
                ? JournalPosition.sequence(start) - 1
                : JournalPosition.sequence(start));
    if (fromCycle == toCycle) {
      return Math.max(0, count);
    }
    try (ExcerptTailer tailer = queue.createTailer()) {
      long total = JournalPosition.sequence(to) + 1;
      total +=
          tailer.excerptsInCycle(fromCycle)
              - JournalPosition.sequence(start)
              - (from == JournalPosition.NONE ? 0 : 1);
      if (toCycle - fromCycle > 1) {
        for (long cycle : queue.listCyclesBetween(fromCycle + 1, toCycle - 1)) {
          total += tailer.excerptsInCycle((int) cycle);
        }
      }
      return Math.max(0, total);
    }
  }

  /** The schema version with an id, or null. */
  public TableSchema schema(int id) {
    return schemas.find(id);
  }

  public List<TableSchema> schemas() {
    return schemas.all();
  }

  /** The oldest entry's position, or {@link JournalPosition#NONE} when the journal is empty. */
  public long firstPosition() {
    long first = queue.firstIndex();
    return first == Long.MAX_VALUE || queue.lastIndex() < 0 ? JournalPosition.NONE : first;
  }

  /** The newest entry's position, or {@link JournalPosition#NONE} when the journal is empty. */
  public long lastPosition() {
    long last = queue.lastIndex();
    return last < 0 ? JournalPosition.NONE : last;
  }

  public JournalStats stats() {
    long size = 0;
    int days = 0;
    try (Stream<Path> files = Files.list(dir.resolve("queue"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
        size += Files.size(file);
        days++;
      }
      if (Files.exists(dir.resolve("schemas.bin"))) {
        size += Files.size(dir.resolve("schemas.bin"));
      }
    } catch (IOException e) {
      LOG.debug("cannot size the journal", e);
    }
    return new JournalStats(firstPosition(), lastPosition(), size, days);
  }

  /**
   * The position of the first change committed at or after a time, or {@link JournalPosition#NONE}
   * when every change is older.
   */
  public long positionAtTime(Instant time) {
    long micros = time.getEpochSecond() * 1_000_000L + time.getNano() / 1_000;
    return search(header -> header.commitTimeMicros() >= micros);
  }

  /**
   * The position of the first change of the first transaction that committed at or after an LSN, or
   * {@link JournalPosition#NONE} when every transaction committed before it.
   */
  public long positionAtLsn(long lsn) {
    // A change's source position carries the commit LSN of the source transaction before it,
    // which increases with commit order. The first change whose previous commit is at or after the
    // LSN starts a transaction; the journaled transaction just before it may also have committed
    // at or after the LSN (its own commit LSN is on its last change).
    long after = search(header -> Long.compareUnsigned(header.source().prevCommitLsn(), lsn) >= 0);
    long candidate = JournalPosition.NONE;
    try (ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD)) {
      if (after == JournalPosition.NONE) {
        tailer.toEnd();
      } else if (tailer.moveToIndex(after)) {
        try (DocumentContext skipped = tailer.readingDocument()) {
          // positions the tailer before the found change
        }
      } else {
        return after;
      }
      long transaction = -1;
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          EntryCodec.Header header = EntryCodec.readHeader(dc.wire().bytes());
          if (header == null) {
            continue;
          }
          if (transaction == -1) {
            boolean last = (header.flags() & ChangeEvent.LAST_IN_TRANSACTION) != 0;
            if (last && Long.compareUnsigned(header.commitLsn(), lsn) < 0) {
              break; // committed before the LSN
            }
            transaction = header.source().prevCommitLsn();
          } else if (header.source().prevCommitLsn() != transaction) {
            break;
          }
          candidate = dc.index();
        }
      }
    }
    return candidate != JournalPosition.NONE ? candidate : after;
  }

  /** Binary search for the first change whose header satisfies a monotone condition. */
  private long search(java.util.function.Predicate<EntryCodec.Header> condition) {
    long first = firstPosition();
    if (first == JournalPosition.NONE) {
      return JournalPosition.NONE;
    }
    try (ExcerptTailer tailer = queue.createTailer()) {
      NavigableSet<Long> cycles = queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle());
      for (long cycle : cycles) {
        long count = tailer.excerptsInCycle((int) cycle);
        long low = 0;
        long high = count; // first index in [low, high) satisfying, or count
        while (low < high) {
          long mid = (low + high) >>> 1;
          EntryCodec.Header header = headerAtOrAfter(tailer, (int) cycle, mid, count);
          if (header == null || condition.test(header)) {
            high = mid;
          } else {
            low = mid + 1;
          }
        }
        EntryCodec.Header found =
            low < count ? headerAtOrAfter(tailer, (int) cycle, low, count) : null;
        if (found != null && condition.test(found)) {
          return firstChangeAtOrAfter(tailer, JournalPosition.ROLL_CYCLE.toIndex((int) cycle, low));
        }
      }
    }
    return JournalPosition.NONE;
  }

  /** The header of the first change at or after a sequence of a cycle, or null when none. */
  private static EntryCodec.Header headerAtOrAfter(
      ExcerptTailer tailer, int cycle, long sequence, long count) {
    for (long s = sequence; s < count; s++) {
      if (!tailer.moveToIndex(JournalPosition.ROLL_CYCLE.toIndex(cycle, s))) {
        return null;
      }
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return null;
        }
        EntryCodec.Header header = EntryCodec.readHeader(dc.wire().bytes());
        if (header != null) {
          return header;
        }
      }
    }
    return null;
  }

  private static long firstChangeAtOrAfter(ExcerptTailer tailer, long index) {
    tailer.direction(TailerDirection.FORWARD);
    if (!tailer.moveToIndex(index)) {
      return JournalPosition.NONE;
    }
    while (true) {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return JournalPosition.NONE;
        }
        if (EntryCodec.readHeader(dc.wire().bytes()) != null) {
          return dc.index();
        }
      }
    }
  }

  /**
   * Removes the daily files that are older than {@code retention} and whose entries are all before
   * {@code keepFrom} (the oldest position a reader still needs). The newest file always stays.
   *
   * @return the number of files removed
   */
  public synchronized int enforceRetention(
      Instant now, java.time.Duration retention, long keepFrom) {
    if (readOnly) {
      throw new IllegalStateException("the journal " + dir + " is open read-only");
    }
    long cutoffDay =
        LocalDate.ofInstant(now.minus(retention), java.time.ZoneOffset.UTC).toEpochDay();
    int lastCycle = queue.lastCycle();
    int removed = 0;
    for (long cycle : queue.listCyclesBetween(queue.firstCycle(), lastCycle)) {
      long nextCycleStart = JournalPosition.ROLL_CYCLE.toIndex((int) cycle + 1, 0);
      boolean needed = keepFrom != JournalPosition.NONE && keepFrom < nextCycleStart;
      if (cycle >= lastCycle || cycle >= cutoffDay || needed) {
        break;
      }
      Path file =
          dir.resolve("queue").resolve(LocalDate.ofEpochDay(cycle).format(DAY_FILE) + "F.cq4");
      try {
        if (Files.deleteIfExists(file)) {
          removed++;
          LOG.info("journal retention removed {} (older than {})", file.getFileName(), retention);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + file, e);
      }
    }
    if (removed > 0) {
      queue.refreshDirectoryListing();
    }
    return removed;
  }

  SingleChronicleQueue queue() {
    return queue;
  }

  synchronized void writerClosed() {
    writer = null;
  }

  @Override
  public synchronized void close() {
    if (writer != null) {
      writer.close();
    }
    queue.close();
  }
}
