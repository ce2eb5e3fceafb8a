package dev.sluice.bench.jmh;

import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import java.util.List;

/**
 * The change the micro-benchmarks encode, append and read: an insert into the bulk load's table
 * ({@code id bigint} key, {@code payload text} of 32 characters, {@code amount numeric}, {@code
 * created timestamptz}), as capture makes it.
 */
final class SampleChanges {
  private SampleChanges() {}

  static TableSchema schema(int id) {
    return new TableSchema(
        id,
        new TableName("public", "bench"),
        List.of(
            Column.of("id", "int8", ValueKind.INT64).asKey(0),
            Column.of("payload", "text", ValueKind.TEXT),
            Column.of("amount", "numeric", ValueKind.DECIMAL),
            Column.of("created", "timestamptz", ValueKind.TIMESTAMPTZ)),
        ReplicaIdentity.DEFAULT);
  }

  /** The insert of row {@code id}, at an LSN that grows with it. */
  static ChangeEvent insert(TableSchema schema, long id) {
    Object[] after = {
      id, "c4ca4238a0b923820dcc509a6f75849b", "123.45", 1_763_700_000_000_000L + id
    };
    return new ChangeEvent(
        JournalPosition.NONE,
        schema,
        Op.INSERT,
        null,
        after,
        1000 + id / 100,
        new SourcePosition(1, 0x1000_0000L + id * 100, 0x1000_0000L + id * 100 + 50, 0),
        0,
        1_763_700_000_000_000L + id,
        0);
  }
}
