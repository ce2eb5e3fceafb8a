package dev.sluice.journal;

import dev.sluice.config.TableName;
import java.util.List;

/** Schemas and events for journal tests. */
final class Fixtures {
  static final TableName ORDERS = new TableName("public", "orders");

  private Fixtures() {}

  /** {@code public.orders(id int8 primary key, note text, amount numeric)}. */
  static TableSchema orders() {
    return new TableSchema(
        0,
        ORDERS,
        List.of(
            Column.of("id", "bigint", ValueKind.INT64).asKey(0),
            Column.of("note", "text", ValueKind.TEXT),
            Column.of("amount", "numeric(12,2)", ValueKind.DECIMAL)),
        ReplicaIdentity.DEFAULT);
  }

  static ChangeEvent insert(
      TableSchema schema, long id, long prevCommit, long lsn, long commitMicros) {
    return new ChangeEvent(
        JournalPosition.NONE,
        schema,
        Op.INSERT,
        null,
        new Object[] {id, "note " + id, "12.50"},
        1000 + id,
        new SourcePosition(1, prevCommit, lsn, 0),
        0,
        commitMicros,
        0);
  }
}
