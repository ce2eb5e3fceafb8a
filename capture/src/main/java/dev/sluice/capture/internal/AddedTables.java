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
   * The tables to read at this start, after recording them: those captured now that the previous
   * start did not capture, and those an earlier start left unread. None when capture does not
   * resume (a snapshot of every table is taken, or none is wanted). Records the tables captured now
   * as the previous start's for the next one.
   *
   * @param captured the tables capture starts with
   */
  public static List<TableName> atStart(
      Journal journal, Collection<TableName> captured, boolean resuming) {
    Path file = journal.dir().resolve(FILE);
    Path capturedFile = journal.dir().resolve(CAPTURED_FILE);
    if (!resuming) {
      done(journal.dir());
      write(capturedFile, captured);
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
    if (added.isEmpty()) {
      done(journal.dir());
    } else {
      write(file, added);
    }
    write(capturedFile, captured);
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
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<TableName> tables = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          tables.add(TableName.parse(line.strip()));
        }
      }
      return tables;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void write(Path file, Collection<TableName> tables) {
    StringBuilder text = new StringBuilder();
    tables.forEach(t -> text.append(t).append('\n'));
    try {
      DurableFile.replace(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
