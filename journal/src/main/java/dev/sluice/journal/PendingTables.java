package dev.sluice.journal;

import dev.sluice.config.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tables added to capture whose earlier rows are not in the journal yet: capture lists them, one
 * per line, in {@value #FILE} beside the journal from the start that adds them until their snapshot
 * is journaled. Readers ({@code verify}, {@code status}) learn from it that such a table's rows on
 * the source are not missing from the targets, only not read yet.
 */
public final class PendingTables {
  /** The file beside the journal; absent when no table is pending. */
  public static final String FILE = "tables-to-snapshot";

  private PendingTables() {}

  /** The pending tables of the journal in {@code journalDir}, or empty. */
  public static List<TableName> read(Path journalDir) {
    Path file = journalDir.resolve(FILE);
    try {
      List<TableName> tables = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          tables.add(TableName.parse(line.strip()));
        }
      }
      return List.copyOf(tables);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
