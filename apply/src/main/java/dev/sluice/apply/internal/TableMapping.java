package dev.sluice.apply.internal;

import dev.sluice.config.Dialect;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SetupException;
import dev.sluice.journal.Column;
import dev.sluice.journal.TableSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * How one rule writes one source table version: the target table, the source columns it keeps (all
 * but {@code excludeColumns}), which of them it writes, and the key. Immutable.
 *
 * <p>Generated columns: a PostgreSQL target gets them as generated columns of its own, computed
 * there and never written; other targets get their values when the source publishes them
 * (PostgreSQL 18 and later) and leave them out otherwise (only snapshot rows would carry them).
 */
public final class TableMapping {
  private final TableSchema source;
  private final TargetTable target;
  private final int[] kept;
  private final List<Column> columns;
  private final int[] key;
  private final boolean[] written;

  private TableMapping(
      TableSchema source,
      TargetTable target,
      int[] kept,
      List<Column> columns,
      int[] key,
      boolean[] written) {
    this.source = source;
    this.target = target;
    this.kept = kept;
    this.columns = List.copyOf(columns);
    this.key = key;
    this.written = written;
  }

  /**
   * @throws SetupException when a key column is excluded or the table has no key
   */
  public static TableMapping of(RuleConfig rule, Dialect dialect, TableSchema source) {
    List<String> excluded = rule.excludeColumns().getOrDefault(source.table(), List.of());
    List<Integer> keptIndexes = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < source.columns().size(); i++) {
      Column column = source.columns().get(i);
      if (excluded.contains(column.name())) {
        if (column.isKey()) {
          throw new SetupException(
              "rule "
                  + rule.name()
                  + ": the key column "
                  + column.name()
                  + " of "
                  + source.table()
                  + " cannot be excluded (excludeColumns)");
        }
        continue;
      }
      if (dialect != Dialect.POSTGRESQL
          && column.isGenerated()
          && !column.generated().published()
          && !column.isKey()) {
        continue;
      }
      keptIndexes.add(i);
      columns.add(column);
    }
    boolean[] written = new boolean[columns.size()];
    for (int i = 0; i < written.length; i++) {
      written[i] = dialect != Dialect.POSTGRESQL || !columns.get(i).isGenerated();
    }
    if (!source.hasKey()) {
      throw new SetupException(
          "rule "
              + rule.name()
              + ": "
              + source.table()
              + " has no primary key, so its rows cannot be"
              + " matched on the target; add a primary key on the source");
    }
    int[] key = new int[source.keyIndexes().length];
    for (int k = 0; k < key.length; k++) {
      key[k] = keptIndexes.indexOf(source.keyIndexes()[k]);
    }
    return new TableMapping(
        source,
        TargetTable.of(dialect, source.table(), rule.rename()),
        keptIndexes.stream().mapToInt(Integer::intValue).toArray(),
        columns,
        key,
        written);
  }

  /**
   * Whether column {@code index} is written: all are but a PostgreSQL target's generated columns,
   * which it computes itself.
   */
  public boolean isWritten(int index) {
    return written[index];
  }

  public TableSchema source() {
    return source;
  }

  public TargetTable target() {
    return target;
  }

  /** The columns written to the target, in source order. */
  public List<Column> columns() {
    return columns;
  }

  /** Indexes into {@link #columns()} of the key, in key order. Do not modify. */
  public int[] key() {
    return key;
  }

  public boolean isKey(int column) {
    for (int k : key) {
      if (k == column) {
        return true;
      }
    }
    return false;
  }

  /** A source row reduced to the kept columns. */
  public Object[] project(Object[] sourceRow) {
    Object[] row = new Object[kept.length];
    for (int i = 0; i < kept.length; i++) {
      row[i] = sourceRow[kept[i]];
    }
    return row;
  }

  /** The key values of a projected row. */
  public Object[] keyOf(Object[] row) {
    Object[] values = new Object[key.length];
    for (int k = 0; k < key.length; k++) {
      values[k] = row[key[k]];
    }
    return values;
  }
}
