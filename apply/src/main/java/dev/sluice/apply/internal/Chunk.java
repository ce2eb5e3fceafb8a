package dev.sluice.apply.internal;

import dev.sluice.config.RuleMode;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Op;
import dev.sluice.journal.Unavailable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes collected for one write to a target, coalesced per key: each row ends up with one
 * operation, its net effect. Changes to one key are merged in the order they are added (source
 * commit order), so the result is what applying them one by one would give. Not thread-safe.
 */
public final class Chunk {
  private final RuleMode mode;
  private final Map<TableMapping, Map<Key, RowOp>> tables = new LinkedHashMap<>();
  private int changes;

  public Chunk(RuleMode mode) {
    this.mode = mode;
  }

  /** A key with value equality (byte arrays compared by content). */
  private record Key(Object[] values) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && Arrays.deepEquals(values, key.values);
    }

    @Override
    public int hashCode() {
      return Arrays.deepHashCode(values);
    }
  }

  /**
   * Adds a row change (not a truncate).
   *
   * @return whether the change has an effect in this rule's mode (append mode ignores updates and
   *     deletes)
   */
  public boolean add(TableMapping mapping, ChangeEvent change) {
    Op op = change.op();
    if (mode == RuleMode.APPEND && op != Op.INSERT && op != Op.READ) {
      return false;
    }
    Object[] row;
    RowOp.Kind kind;
    if (op == Op.DELETE) {
      row = mapping.project(change.before());
      kind = RowOp.Kind.DELETE;
    } else {
      row = mapping.project(change.after());
      kind =
          mode == RuleMode.APPEND
              ? RowOp.Kind.INSERT
              : RowOp.hasUnchanged(row) ? RowOp.Kind.UPDATE : RowOp.Kind.UPSERT;
    }
    Object[] key = mapping.keyOf(row);
    RowOp next =
        new RowOp(
            kind,
            key,
            kind == RowOp.Kind.DELETE ? null : row,
            change.commitTimeMicros(),
            change.position());
    Map<Key, RowOp> rows = tables.computeIfAbsent(mapping, m -> new LinkedHashMap<>());
    rows.merge(new Key(key), next, Chunk::merge);
    changes++;
    return true;
  }

  /** The net effect of {@code previous} followed by {@code next} on one row. */
  static RowOp merge(RowOp previous, RowOp next) {
    if (next.kind() != RowOp.Kind.UPDATE || previous.kind() == RowOp.Kind.DELETE) {
      return next;
    }
    if (previous.kind() == RowOp.Kind.INSERT) {
      return previous;
    }
    Object[] merged = next.row().clone();
    for (int i = 0; i < merged.length; i++) {
      if (merged[i] == Unavailable.UNCHANGED_TOAST) {
        merged[i] = previous.row()[i];
      }
    }
    RowOp.Kind kind = RowOp.hasUnchanged(merged) ? RowOp.Kind.UPDATE : RowOp.Kind.UPSERT;
    return new RowOp(kind, next.key(), merged, next.commitMicros(), next.position());
  }

  /** The row operations per table, in the order tables first appeared. */
  public Map<TableMapping, List<RowOp>> operations() {
    Map<TableMapping, List<RowOp>> result = new LinkedHashMap<>();
    tables.forEach((mapping, rows) -> result.put(mapping, new ArrayList<>(rows.values())));
    return result;
  }

  /** Changes added (before coalescing). */
  public int changes() {
    return changes;
  }

  public boolean isEmpty() {
    return tables.isEmpty();
  }

  public void clear() {
    tables.clear();
    changes = 0;
  }
}
