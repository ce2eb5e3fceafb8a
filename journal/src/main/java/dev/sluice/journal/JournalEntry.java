package dev.sluice.journal;

/** What the journal holds at one position: a change or a marker. */
public sealed interface JournalEntry permits ChangeEvent, Marker {

  /** The journal position, or {@link JournalPosition#NONE} before it is appended. */
  long position();
}
