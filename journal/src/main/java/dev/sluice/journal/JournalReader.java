package dev.sluice.journal;

import dev.sluice.journal.internal.EntryCodec;
import dev.sluice.journal.internal.SchemaStore;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads the journal forward from a position; sees entries appended later, also by other processes.
 *
 * <p>Not thread-safe: use each reader from one thread at a time.
 */
public final class JournalReader implements AutoCloseable {
  private final Journal journal;
  private final ExcerptTailer tailer;
  private final SchemaStore schemas;

  JournalReader(Journal journal, ExcerptTailer tailer, SchemaStore schemas) {
    this.journal = journal;
    this.tailer = tailer;
    this.tailer.singleThreadedCheckDisabled(true);
    this.schemas = schemas;
  }

  /** The next entry, or null when there is none yet. */
  public JournalEntry next() {
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return null;
      }
      return EntryCodec.read(dc.index(), dc.wire().bytes(), schemas::find);
    }
  }

  /**
   * Makes {@link #next()} return the entry at {@code position} (or, for a position past the end,
   * the first entry appended there later).
   *
   * @throws PositionOutOfRangeException when the position is before the journal's first entry
   */
  public JournalReader seek(long position) {
    long first = journal.firstPosition();
    if (first == JournalPosition.NONE || position > journal.lastPosition()) {
      tailer.toEnd();
      return this;
    }
    if (position < first) {
      throw new PositionOutOfRangeException(
          "position "
              + JournalPosition.format(position)
              + " is no longer in the journal: it starts at "
              + JournalPosition.format(first)
              + " (older changes were removed by journal.retention)");
    }
    if (!tailer.moveToIndex(position)) {
      throw new PositionOutOfRangeException(
          "position "
              + JournalPosition.format(position)
              + " is not in the journal "
              + journal.dir());
    }
    return this;
  }

  /** Makes {@link #next()} return the entry after {@code position}. */
  public JournalReader seekAfter(long position) {
    if (position == JournalPosition.NONE) {
      tailer.toStart();
      return this;
    }
    seek(position);
    if (position <= journal.lastPosition()) {
      try (DocumentContext skipped = tailer.readingDocument()) {
        // moves past the entry at position
      }
    }
    return this;
  }

  /** Makes {@link #next()} return only entries appended from now on. */
  public JournalReader toEnd() {
    tailer.toEnd();
    return this;
  }

  @Override
  public void close() {
    tailer.close();
  }
}
