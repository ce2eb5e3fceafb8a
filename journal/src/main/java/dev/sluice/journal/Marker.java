package dev.sluice.journal;

import dev.sluice.config.TableName;
import java.util.List;

/**
 * A note in the journal about capture itself (not a source change).
 *
 * @param position the journal position
 * @param kind what happened
 * @param timeMicros when, in microseconds since the epoch
 * @param tables the tables concerned (the snapshot's tables), possibly empty
 * @param detail a short human-readable note, possibly empty
 */
public record Marker(
    long position, Kind kind, long timeMicros, List<TableName> tables, String detail)
    implements JournalEntry {

  public Marker {
    tables = List.copyOf(tables);
  }

  /** Kinds of markers. */
  public enum Kind {
    /** Capture started; the detail says from where (resumed, or a new slot). */
    CAPTURE_STARTED,
    /**
     * A snapshot of {@link #tables()} starts; READ changes follow. A snapshot started again before
     * it completed replaces the unfinished one.
     */
    SNAPSHOT_STARTED,
    /** The snapshot that started last is complete; streamed changes follow. */
    SNAPSHOT_COMPLETED
  }

  /**
   * The detail of a {@link Kind#SNAPSHOT_STARTED} marker whose snapshot reads only tables added to
   * capture while it ran (a new table matching a pattern): not a snapshot of every captured table.
   */
  public static final String TABLES_ADDED = "tables added to capture";

  /**
   * The start of the detail of the {@link Kind#SNAPSHOT_STARTED} and {@link
   * Kind#SNAPSHOT_COMPLETED} markers that frame a resync: a snapshot of one rule's tables taken for
   * that rule alone ({@code POST /api/rules/{name}/resync}), followed by the rule's name. Other
   * rules pass over its rows.
   */
  public static final String RESYNC_OF_RULE = "resync of rule ";

  /** The detail of the markers that frame a resync of {@code rule}. */
  public static String resyncDetail(String rule) {
    return RESYNC_OF_RULE + rule;
  }

  /**
   * The rule whose resync this marker starts or completes, or null when it frames no resync (or is
   * not a snapshot marker).
   */
  public String resyncRule() {
    return kind != Kind.CAPTURE_STARTED && detail.startsWith(RESYNC_OF_RULE)
        ? detail.substring(RESYNC_OF_RULE.length())
        : null;
  }

  /** Whether this marker starts a snapshot of tables added to capture only. */
  public boolean startsSnapshotOfAddedTables() {
    return kind == Kind.SNAPSHOT_STARTED && detail.equals(TABLES_ADDED);
  }

  /** Whether this marker starts a snapshot of every captured table. */
  public boolean startsFullSnapshot() {
    return kind == Kind.SNAPSHOT_STARTED
        && !detail.equals(TABLES_ADDED)
        && !detail.startsWith(RESYNC_OF_RULE);
  }

  public Marker withPosition(long newPosition) {
    return new Marker(newPosition, kind, timeMicros, tables, detail);
  }
}
