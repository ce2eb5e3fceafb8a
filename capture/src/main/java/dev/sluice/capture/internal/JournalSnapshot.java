package dev.sluice.capture.internal;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import java.util.List;
import java.util.Optional;

/**
 * The journal's latest snapshot of every captured table (not one of tables added to capture later),
 * as capture left it: complete (its end marker was journaled) or not, and the LSN it was taken at
 * (the one every row of it carries).
 *
 * @param complete whether the snapshot's end is in the journal
 * @param lsn the LSN the snapshot was taken at, 0 when it journaled no row
 * @param streamedAfter whether a streamed change follows the snapshot's end in the journal
 */
public record JournalSnapshot(boolean complete, long lsn, boolean streamedAfter) {

  /** The latest snapshot in the journal, or empty when it holds none. */
  public static Optional<JournalSnapshot> latest(Journal journal) {
    List<Marker> markers = journal.markers();
    int started = -1;
    for (int i = markers.size() - 1; i >= 0 && started < 0; i--) {
      if (markers.get(i).startsFullSnapshot()) {
        started = i;
      }
    }
    if (started < 0) {
      return Optional.empty();
    }
    long completed = -1;
    for (Marker marker : markers.subList(started, markers.size())) {
      if (marker.kind() == Marker.Kind.SNAPSHOT_COMPLETED) {
        completed = marker.position();
        break;
      }
    }
    return Optional.of(
        new JournalSnapshot(
            completed >= 0,
            firstRowLsn(journal, markers.get(started)),
            completed >= 0 && changeAfter(journal, completed)));
  }

  private static boolean changeAfter(Journal journal, long position) {
    try (JournalReader reader = journal.reader()) {
      reader.seek(position);
      for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
        if (entry instanceof ChangeEvent) {
          return true;
        }
      }
    }
    return false;
  }

  private static long firstRowLsn(Journal journal, Marker started) {
    try (JournalReader reader = journal.reader()) {
      reader.seek(started.position());
      for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
        if (entry instanceof Marker marker && marker.kind() != Marker.Kind.SNAPSHOT_STARTED) {
          return 0;
        }
        if (entry instanceof ChangeEvent change) {
          return change.op() == Op.READ ? change.source().lsn() : 0;
        }
      }
    }
    return 0;
  }

  /**
   * Whether the journal ends with this snapshot: its last change is one of the snapshot's rows, and
   * every streamed change the engine sends is new.
   */
  public boolean endsJournal() {
    return complete && !streamedAfter;
  }

  /** Whether capture can stream from this snapshot's end instead of taking it again. */
  public boolean canStreamFrom() {
    return complete && lsn != 0;
  }
}
