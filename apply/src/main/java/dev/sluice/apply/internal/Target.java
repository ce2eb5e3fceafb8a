package dev.sluice.apply.internal;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.TargetException;
import dev.sluice.apply.TypeMapping;
import dev.sluice.config.Dialect;
import dev.sluice.journal.Column;
import java.util.List;
import java.util.Optional;

/**
 * A connection to one target database for one rule, used by one thread. Writes happen in a target
 * transaction that {@link #commit} ends together with the rule's checkpoint (MongoDB, which has no
 * transactions here, writes the checkpoint after the data; re-applying is harmless there).
 */
public interface Target extends AutoCloseable {

  Dialect dialect();

  /** How a source column is stored in this target. */
  TypeMapping map(Column column, boolean key);

  /** The rule's stored checkpoint. */
  Optional<dev.sluice.apply.Checkpoint> checkpoint(String rule) throws TargetException;

  /**
   * Creates the table when absent, adds columns that are new, widens changed ones. {@code previous}
   * is the mapping of the table's previous source version, or null.
   *
   * @return what was changed on the target, for the log
   */
  List<String> prepare(TableMapping mapping, TableMapping previous, boolean newerWins)
      throws TargetException;

  /**
   * What the last {@link #needsPreparation} or {@link #prepare} decided not to change and a user
   * should know (a column the source narrowed keeps its wider type); taken once.
   */
  default List<String> takeNotes() {
    return List.of();
  }

  /** Whether DDL can run inside a write transaction (false for MySQL: DDL commits implicitly). */
  boolean transactionalDdl();

  /** Whether {@link #prepare} would change anything. */
  boolean needsPreparation(TableMapping mapping, TableMapping previous, boolean newerWins)
      throws TargetException;

  /**
   * Writes row operations in the current transaction (one is started when none is open).
   *
   * @return how many updates found no row (the target lacks a row the source updated)
   */
  int write(TableMapping mapping, List<RowOp> operations, boolean newerWins) throws TargetException;

  /**
   * Moves a row to a new key in the current transaction: the half of a primary-key update whose new
   * row lacks values the source did not send (unchanged TOASTed values). The row at {@code fromKey}
   * is copied to the new key with the values {@code op} carries, replacing a row there, and
   * deleted. Re-applying it changes nothing: once the old row is gone, nothing is copied.
   *
   * @param op the new row (key and values; {@link dev.sluice.journal.Unavailable#UNCHANGED_TOAST}
   *     where the source sent none)
   * @return 1 when the target had no row at {@code fromKey} (nothing moved), else 0
   */
  int move(TableMapping mapping, Object[] fromKey, RowOp op, boolean newerWins)
      throws TargetException;

  /** Empties a table in the current transaction. */
  void truncate(TableMapping mapping) throws TargetException;

  /** Marks a point in the current transaction that {@link #rollbackToSavepoint} returns to. */
  void savepoint() throws TargetException;

  void rollbackToSavepoint() throws TargetException;

  /** Writes the checkpoint and commits the current transaction (or only writes the checkpoint). */
  void commit(String rule, Checkpoint checkpoint) throws TargetException;

  /** Commits the current transaction without a checkpoint (replay). */
  void commitWithoutCheckpoint() throws TargetException;

  /** Abandons the current transaction. Never throws. */
  void rollback();

  // mirror mode: the keys a snapshot saw, to remove the target's other rows afterwards

  /** Forgets the keys seen by an earlier, unfinished snapshot of this table. */
  void mirrorBegin(TableMapping mapping) throws TargetException;

  /** Records keys the snapshot saw, in the current transaction. */
  void mirrorSeen(TableMapping mapping, List<Object[]> keys) throws TargetException;

  /**
   * Deletes the target rows whose key the snapshot did not see, in the current transaction.
   *
   * @return how many rows were deleted
   */
  long mirrorFinish(TableMapping mapping) throws TargetException;

  // bidirectional rules (PostgreSQL targets only)

  /**
   * Writes every later transaction of this connection under a replication origin (created when
   * absent), so that the target's own capture knows them as the peer's and does not send them back;
   * {@link #commit} then stamps each transaction with its source commit LSN and time.
   */
  default void writeUnderOrigin(String origin) throws TargetException {
    throw new TargetException(
        dialect().yamlName() + " targets cannot write under a replication origin", false, null);
  }

  /**
   * Locks a row and says which transaction wrote it last: its commit time, and whether it was
   * written under this connection's origin; empty when the row is absent.
   */
  default Optional<RowWrite> lastWrite(TableMapping mapping, Object[] key) throws TargetException {
    throw new TargetException(
        dialect().yamlName() + " targets do not keep commit times of rows", false, null);
  }

  /**
   * Inserts a row unless its key is there, now rather than in a batch; waits for a transaction that
   * is inserting the same key and says whether this insert wrote the row.
   */
  default boolean insertIfAbsent(TableMapping mapping, Object[] row) throws TargetException {
    throw new TargetException(
        dialect().yamlName() + " targets do not insert single rows for bidirectional rules",
        false,
        null);
  }

  /**
   * The transaction that last wrote a target row.
   *
   * @param commitMicros its commit time (the origin's, when a peer wrote it), or 0 when unknown
   *     (written before {@code track_commit_timestamp} was on, frozen, or in this transaction)
   * @param byThisOrigin whether this connection's origin wrote it (the same peer, earlier)
   */
  record RowWrite(long commitMicros, boolean byThisOrigin) {}

  /** Closes the connection. Never throws. */
  @Override
  void close();
}
