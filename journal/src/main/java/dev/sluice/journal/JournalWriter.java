package dev.sluice.journal;

import dev.sluice.config.SetupException;
import dev.sluice.journal.internal.EntryCodec;
import dev.sluice.journal.internal.MarkerIndex;
import dev.sluice.journal.internal.SchemaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Appends to the journal. There is one per journal and process, holding the directory's lock file
 * so that a second process cannot write the same journal.
 *
 * <p>Its methods may be called from different threads, one at a time (they are synchronized).
 */
public final class JournalWriter implements AutoCloseable {
  /**
   * The most one journal entry holds, encoded: a quarter of Chronicle Queue's default block size
   * (64 MB), less a few bytes of header.
   */
  public static final int MAX_ENTRY_BYTES = 16 * 1024 * 1024;

  private final Journal journal;
  private final ExcerptAppender appender;
  private final SchemaStore schemas;
  private final boolean syncOnRequest;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private SourcePosition lastSource;
  private long appendedSinceSync;
  private volatile long durablePosition = JournalPosition.NONE;
  private long lastAppended = JournalPosition.NONE;

  private final MarkerIndex markers;

  JournalWriter(
      Journal journal,
      ExcerptAppender appender,
      SchemaStore schemas,
      MarkerIndex markers,
      boolean syncOnRequest) {
    this.markers = markers;
    this.journal = journal;
    this.appender = appender;
    this.appender.singleThreadedCheckDisabled(true);
    this.schemas = schemas;
    this.syncOnRequest = syncOnRequest;
    Path lockFile = journal.dir().resolve("sluice.lock");
    try {
      this.lockChannel =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.READ);
      FileLock acquired;
      try {
        acquired = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        acquired = null;
      }
      if (acquired == null) {
        String holder = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
        lockChannel.close();
        throw new SetupException(
            "the journal "
                + journal.dir()
                + " is in use by another Sluice process"
                + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                + "; stop it first, or give this one another journal.dir");
      }
      this.lock = acquired;
      lockChannel.truncate(0);
      lockChannel.write(
          ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    }
    this.lastSource = readLastSource(journal);
    this.lastAppended = journal.lastPosition();
    this.durablePosition = lastAppended;
  }

  /** The source position of the newest change in the journal, or {@link SourcePosition#NONE}. */
  public synchronized SourcePosition lastSourcePosition() {
    return lastSource;
  }

  /** Registers a table schema version (durably) and returns it with its journal id. */
  public TableSchema register(TableSchema schema) {
    return schemas.register(schema);
  }

  /**
   * Appends a change whose schema is registered.
   *
   * @return its journal position
   */
  public synchronized long append(ChangeEvent event) {
    try (DocumentContext dc = appender.writingDocument()) {
      try {
        EntryCodec.writeChange(event, dc.wire().bytes());
      } catch (java.nio.BufferOverflowException e) {
        dc.rollbackOnClose();
        throw new ChangeTooLargeException(
            "the "
                + event.op().label()
                + " of "
                + event.table()
                + " key "
                + java.util.Arrays.toString(event.key())
                + " (source LSN "
                + event.source().lsn()
                + ") is larger than a journal entry holds ("
                + MAX_ENTRY_BYTES / (1024 * 1024)
                + " MB for the row images together); Sluice cannot carry it",
            e);
      } catch (RuntimeException e) {
        dc.rollbackOnClose();
        throw e;
      }
    }
    lastSource = event.source();
    appendedSinceSync++;
    lastAppended = appender.lastIndexAppended();
    return lastAppended;
  }

  /**
   * Appends a marker.
   *
   * @return its journal position
   */
  public synchronized long append(Marker marker) {
    try (DocumentContext dc = appender.writingDocument()) {
      EntryCodec.writeMarker(marker, dc.wire().bytes());
    }
    appendedSinceSync++;
    lastAppended = appender.lastIndexAppended();
    markers.add(marker.withPosition(lastAppended));
    return lastAppended;
  }

  /**
   * Makes everything appended so far durable on disk (when the journal's sync policy is {@code
   * batch}; a no-op with {@code none}, where a process crash still loses nothing).
   */
  public synchronized void sync() {
    if (syncOnRequest && appendedSinceSync > 0) {
      appender.sync();
    }
    appendedSinceSync = 0;
    durablePosition = lastAppended;
  }

  /**
   * The newest position that is on disk as the sync policy promises ({@link JournalPosition#NONE}
   * before the first sync). Readers in this process that write elsewhere on the strength of an
   * entry (appliers) read no further, so that a power loss cannot take back an entry a target
   * already holds.
   */
  public long durablePosition() {
    return durablePosition;
  }

  private static SourcePosition readLastSource(Journal journal) {
    try (ExcerptTailer tailer =
        journal.queue().createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            return SourcePosition.NONE;
          }
          EntryCodec.Header header = EntryCodec.readHeader(dc.wire().bytes());
          if (header != null) {
            return header.source();
          }
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!lockChannel.isOpen()) {
      return;
    }
    try {
      sync();
    } finally {
      appender.close();
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      journal.writerClosed();
    }
  }
}
