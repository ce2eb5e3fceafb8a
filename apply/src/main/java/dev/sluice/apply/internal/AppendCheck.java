package dev.sluice.apply.internal;

import dev.sluice.config.SourceConfig;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Column;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The start-up check of an {@code append} rule: the target's existing rows must be the source's
 * first rows, key for key in key order (and the first row equal in every column), so that appending
 * the rest makes them equal. A target table that does not exist or is empty passes.
 */
public final class AppendCheck {
  private AppendCheck() {}

  /**
   * Checks one table.
   *
   * @return why the target is not a prefix of the source (with the figures), or empty
   */
  public static Optional<String> check(
      SourceConfig source, TargetConfig target, TableMapping mapping) throws Exception {
    List<Column> keyColumns = new ArrayList<>();
    for (int k : mapping.key()) {
      keyColumns.add(mapping.columns().get(k));
    }
    TargetReaders.Rows targetRows;
    try {
      targetRows = TargetReaders.open(target, mapping);
    } catch (java.sql.SQLException e) {
      if (isMissingTable(e)) {
        return Optional.empty(); // no table yet
      }
      throw e; // the target cannot be read now: the check is taken again, never skipped
    }
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    if (source.password() != null) {
      properties.setProperty("password", source.password().reveal());
    }
    try (targetRows;
        Connection connection = DriverManager.getConnection(source.url(), properties);
        KeyedRows sourceRows =
            RowReaders.postgres(
                connection,
                "\""
                    + mapping.source().table().schema().replace("\"", "\"\"")
                    + "\".\""
                    + mapping.source().table().name().replace("\"", "\"\"")
                    + "\"",
                mapping,
                target.dialect())) {
      long compared = 0;
      KeyedRows.Row t = targetRows.rows().next();
      if (t == null) {
        return Optional.empty();
      }
      KeyedRows.Row first = null;
      while (t != null) {
        KeyedRows.Row s = sourceRows.next();
        if (first == null) {
          first = s;
          if (s == null || !s.values().equals(t.values())) {
            return Optional.of(
                mapping.target()
                    + " is not a prefix of "
                    + mapping.source().table()
                    + ": its first row "
                    + t.key()
                    + (s == null
                        ? " is not on the source (the source table is empty)"
                        : " differs from the source's first row " + s.key()));
          }
        } else if (s == null || Canonical.compareKeys(s.key(), t.key(), keyColumns) != 0) {
          long targetCount = compared + 1 + count(targetRows.rows());
          return Optional.of(
              mapping.target()
                  + " is not a prefix of "
                  + mapping.source().table()
                  + ": row "
                  + (compared + 1)
                  + " has key "
                  + t.key()
                  + " on the target but "
                  + (s == null ? "the source has no more rows" : s.key() + " on the source")
                  + " (target rows "
                  + targetCount
                  + ")");
        }
        compared++;
        t = targetRows.rows().next();
      }
      return Optional.empty();
    }
  }

  /** Whether {@code e} says that the table read does not exist (PostgreSQL, MySQL, SQLite). */
  static boolean isMissingTable(java.sql.SQLException e) {
    return "42P01".equals(e.getSQLState())
        || "42S02".equals(e.getSQLState())
        || String.valueOf(e.getMessage()).contains("no such table");
  }

  private static long count(KeyedRows rows) throws Exception {
    long count = 0;
    while (rows.next() != null) {
      count++;
    }
    return count;
  }
}
