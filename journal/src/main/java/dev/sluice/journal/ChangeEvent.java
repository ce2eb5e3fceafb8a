package dev.sluice.journal;

import dev.sluice.config.TableName;
import java.util.Objects;

/**
 * One committed change of one source row (or a truncate of a table).
 *
 * <p>Row images are arrays aligned with {@link TableSchema#columns()}; values follow {@link
 * ValueKind}'s representations, and may be null or an {@link Unavailable} marker. For speed the
 * arrays are not copied: treat them as read-only.
 *
 * @param position the journal position, or {@link JournalPosition#NONE} before it is appended
 * @param schema the table's shape when the change was made
 * @param op what the change did
 * @param before the old row: for updates and deletes when the source sent it (REPLICA IDENTITY
 *     FULL: every column; DEFAULT: the key columns of a delete, other columns {@link
 *     Unavailable#ABSENT}), else null
 * @param after the new row for inserts, updates and reads, else null
 * @param txId the source transaction id
 * @param source the change's place in the source stream (its {@code lsn} is the change's LSN)
 * @param commitLsn the end LSN of the source transaction's commit, on its last change; 0 on the
 *     others (the commit is not known until the transaction's end arrives)
 * @param commitTimeMicros the source commit time, microseconds since the epoch
 * @param flags {@link #LAST_IN_TRANSACTION}, {@link #KEY_CHANGE_OLD}, {@link #KEY_CHANGE_NEW},
 *     {@link #LAST_OF_SNAPSHOT_TABLE}, {@link #FROM_PEER}
 */
public record ChangeEvent(
    long position,
    TableSchema schema,
    Op op,
    Object[] before,
    Object[] after,
    long txId,
    SourcePosition source,
    long commitLsn,
    long commitTimeMicros,
    int flags)
    implements JournalEntry {

  /** The last change of its source transaction. */
  public static final int LAST_IN_TRANSACTION = 1;

  /** The delete half of a primary-key update (the row left its old key). */
  public static final int KEY_CHANGE_OLD = 2;

  /** The insert half of a primary-key update (the row arrived at its new key). */
  public static final int KEY_CHANGE_NEW = 4;

  /** The last row a snapshot read from its table. */
  public static final int LAST_OF_SNAPSHOT_TABLE = 8;

  /**
   * Written by the sidecar of a bidirectional peer: its transaction carried a replication origin
   * whose name starts with {@link #PEER_ORIGIN_PREFIX}. The bidirectional rule does not send it
   * back; other rules apply it like any change.
   */
  public static final int FROM_PEER = 16;

  /** The start of the replication origin names under which bidirectional rules write. */
  public static final String PEER_ORIGIN_PREFIX = "sluice_";

  public ChangeEvent {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(source, "source");
  }

  public TableName table() {
    return schema.table();
  }

  /** The change's own WAL position. */
  public long lsn() {
    return source.lsn();
  }

  public boolean isLastInTransaction() {
    return (flags & LAST_IN_TRANSACTION) != 0;
  }

  public boolean has(int flag) {
    return (flags & flag) == flag;
  }

  /**
   * The primary key's values in key order, from the after image (or the before image of a delete);
   * empty for a truncate or a table without a key.
   */
  public Object[] key() {
    Object[] row = after != null ? after : before;
    int[] indexes = schema.keyIndexes();
    if (row == null) {
      return new Object[0];
    }
    Object[] key = new Object[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      key[i] = row[indexes[i]];
    }
    return key;
  }

  public ChangeEvent withPosition(long newPosition) {
    return new ChangeEvent(
        newPosition, schema, op, before, after, txId, source, commitLsn, commitTimeMicros, flags);
  }

  /** This change marked as the last of its transaction, which committed at {@code lsn}. */
  public ChangeEvent asLastInTransaction(long transactionCommitLsn) {
    return new ChangeEvent(
        position,
        schema,
        op,
        before,
        after,
        txId,
        source,
        transactionCommitLsn,
        commitTimeMicros,
        flags | LAST_IN_TRANSACTION);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ChangeEvent e
        && e.position == position
        && e.schema.equals(schema)
        && e.op == op
        && java.util.Arrays.deepEquals(e.before, before)
        && java.util.Arrays.deepEquals(e.after, after)
        && e.txId == txId
        && e.source.equals(source)
        && e.commitLsn == commitLsn
        && e.commitTimeMicros == commitTimeMicros
        && e.flags == flags;
  }

  @Override
  public int hashCode() {
    return Objects.hash(position, schema.id(), op, txId, source, flags);
  }

  @Override
  public String toString() {
    return op.label() + " " + table() + " tx " + txId + " at " + Lsn.format(lsn());
  }
}
