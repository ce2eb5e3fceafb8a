package dev.sluice.apply.internal;

import dev.sluice.config.Dialect;
import dev.sluice.config.TableName;
import java.util.Map;
import java.util.Objects;

/**
 * A table (or collection) in a target.
 *
 * @param schema the schema in a PostgreSQL target; null for MySQL, SQLite and MongoDB
 * @param name the table or collection name, exact
 */
public record TargetTable(String schema, String name) {

  public TargetTable {
    Objects.requireNonNull(name, "name");
  }

  /**
   * The target table for a source table: the {@code rename} entry when there is one, else the same
   * name — with its schema in PostgreSQL, without {@code public.} elsewhere (other schemas become
   * {@code schema_table}).
   */
  public static TargetTable of(Dialect dialect, TableName source, Map<TableName, String> rename) {
    String renamed = rename.get(source);
    if (dialect == Dialect.POSTGRESQL) {
      TableName name = renamed == null ? source : TableName.parse(renamed);
      return new TargetTable(name.schema(), name.name());
    }
    if (renamed != null) {
      return new TargetTable(null, renamed);
    }
    return new TargetTable(
        null,
        source.schema().equals("public") ? source.name() : source.schema() + "_" + source.name());
  }

  @Override
  public String toString() {
    return schema == null
        ? name
        : TableName.quoteIfNeeded(schema) + "." + TableName.quoteIfNeeded(name);
  }
}
