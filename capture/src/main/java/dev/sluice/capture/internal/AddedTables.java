package dev.sluice.capture.internal;

import dev.sluice.config.DurableFile;
import dev.sluice.config.TableName;
import dev.sluice.journal.Journal;
import dev.sluice.journal.Marker;
import dev.sluice.journal.PendingTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tables added to capture since its previous start (new tables matching {@code source.tables}),
 * whose rows written before they joined the publication only a snapshot of their own can read.
 *
 * <p>They are kept in a file beside the journal, replaced whole and synced ({@link DurableFile})
 * before capture starts, and removed when that snapshot is journaled: a start that does not finish
 * it takes it again.
 */
public final class AddedTables {
  /** The file beside the journal that lists added tables still to be read, one per line. */
  public static final String FILE = PendingTables.FILE;

  /**
   * The file beside the journal that lists the tables the latest start captured, one per line (the
   * journal's start markers say it too, but retention may have removed them).
   */
  public static final String CAPTURED_FILE = "captured-tables";

  private AddedTables() {}

  /**
   * The file beside the journal that lists the partitions attached to captured partitioned tables
   * when the latest start captured, one attachment per line (see {@link
   * SourceCatalog#attachedPartitions}).
   */
  public static final String ATTACHED_FILE = "attached-partitions";

  /**
   * {@link #atStart(Journal, Collection, Map, boolean)} for a source with no attached partition.
   */
  public static List<TableName> atStart(
      Journal journal, Collection<TableName> captured, boolean resuming) {
    return atStart(journal, captured, Map.of(), resuming);
  }

  /**
   * The tables to read at this start, after recording them: those captured now that the previous
   * start did not capture, the partitioned ones with a partition attached since (its earlier rows
   * were never streamed; the table is read again whole), and those an earlier start left unread.
   * None when capture does not resume (a snapshot of every table is taken, or none is wanted).
   * Records the tables captured now, and their attached partitions, for the next start.
   *
   * @param captured the tables capture starts with
   * @param attachments the partitions attached to captured tables now ({@link
   *     SourceCatalog#attachedPartitions}); a start that finds no record of the previous ones (the
   *     journal is older than it) takes them as known
   */
  public static List<TableName> atStart(
      Journal journal,
      Collection<TableName> captured,
      Map<String, TableName> attachments,
      boolean resuming) {
    Path file = journal.dir().resolve(FILE);
    Path capturedFile = journal.dir().resolve(CAPTURED_FILE);
    Path attachedFile = journal.dir().resolve(ATTACHED_FILE);
    if (!resuming) {
      done(journal.dir());
      write(capturedFile, captured);
      writeLines(attachedFile, attachments.keySet());
      return List.of();
    }
    Set<TableName> previous = null;
    if (Files.exists(capturedFile)) {
      previous = Set.copyOf(read(capturedFile));
    } else {
      for (Marker marker : journal.markers()) {
        if (marker.kind() == Marker.Kind.CAPTURE_STARTED) {
          previous = Set.copyOf(marker.tables());
        }
      }
    }
    Set<TableName> added = new LinkedHashSet<>(PendingTables.read(journal.dir()));
    added.retainAll(captured);
    if (previous != null) {
      for (TableName table : captured) {
        if (!previous.contains(table)) {
          added.add(table);
        }
      }
    }
    if (Files.exists(attachedFile)) {
      Set<String> known = Set.copyOf(readLines(attachedFile));
      attachments.forEach(
          (attachment, table) -> {
            if (!known.contains(attachment) && captured.contains(table)) {
              added.add(table);
            }
          });
    }
    if (added.isEmpty()) {
      done(journal.dir());
    } else {
      write(file, added);
    }
    write(capturedFile, captured);
    writeLines(attachedFile, attachments.keySet());
    return List.copyOf(added);
  }

  /** Forgets the added tables: their snapshot is journaled (or no longer needed). */
  public static void done(Path journalDir) {
    try {
      Files.deleteIfExists(journalDir.resolve(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + journalDir.resolve(FILE), e);
    }
  }

  private static List<TableName> read(Path file) {
    return readLines(file).stream().map(TableName::parse).toList();
  }

  private static List<String> readLines(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void write(Path file, Collection<TableName> tables) {
    writeLines(file, tables.stream().map(TableName::toString).toList());
  }

  private static void writeLines(Path file, Collection<String> lines) {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    try {
      DurableFile.replace(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
