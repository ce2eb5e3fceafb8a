package dev.sluice.journal;

import dev.sluice.config.TableName;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A version of a source table's shape. The journal stores each distinct version once and events
 * refer to it by {@link #id()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TableSchema {
  private final int id;
  private final TableName table;
  private final List<Column> columns;
  private final ReplicaIdentity identity;
  private final int[] keyIndexes;

  /**
   * @param id the journal's id for this version, or 0 while not yet registered
   */
  public TableSchema(int id, TableName table, List<Column> columns, ReplicaIdentity identity) {
    this.id = id;
    this.table = Objects.requireNonNull(table, "table");
    this.columns = List.copyOf(columns);
    this.identity = Objects.requireNonNull(identity, "identity");
    this.keyIndexes =
        java.util.stream.IntStream.range(0, this.columns.size())
            .filter(i -> this.columns.get(i).isKey())
            .boxed()
            .sorted(Comparator.comparingInt(i -> this.columns.get(i).keyPosition()))
            .mapToInt(Integer::intValue)
            .toArray();
  }

  public int id() {
    return id;
  }

  public TableName table() {
    return table;
  }

  public List<Column> columns() {
    return columns;
  }

  public ReplicaIdentity identity() {
    return identity;
  }

  /** Indexes into {@link #columns()} of the key columns, in key order. Do not modify. */
  public int[] keyIndexes() {
    return keyIndexes;
  }

  public boolean hasKey() {
    return keyIndexes.length > 0;
  }

  /** The index of a column by exact name, or -1. */
  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    return -1;
  }

  /** This version with the journal's id. */
  public TableSchema withId(int newId) {
    return new TableSchema(newId, table, columns, identity);
  }

  /** Whether both describe the same shape (ignoring ids). */
  public boolean sameShape(TableSchema other) {
    return table.equals(other.table) && columns.equals(other.columns) && identity == other.identity;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TableSchema schema && schema.id == id && sameShape(schema);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, table, columns, identity);
  }

  @Override
  public String toString() {
    return table + "#" + id + Arrays.toString(columns.stream().map(Column::name).toArray());
  }
}
