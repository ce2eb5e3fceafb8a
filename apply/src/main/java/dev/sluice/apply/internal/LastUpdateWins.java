package dev.sluice.apply.internal;

import dev.sluice.journal.Op;
import java.util.Optional;

/**
 * How a bidirectional rule decides whether a change from its node may overwrite the peer's row.
 * Both sidecars of a pair decide the same way, so both databases keep the same winner:
 *
 * <ul>
 *   <li>a row last written by this rule (the same node, earlier), or of unknown age, is
 *       overwritten;
 *   <li>otherwise the later commit time wins (the origin's commit time, which the peer's own writes
 *       and this rule's writes both carry); equal times go to the node whose name sorts first;
 *   <li>a delete always applies, and an update of a row that is gone is dropped: a delete wins over
 *       a concurrent update on the other side;
 *   <li>an insert over an existing row is an update of it by the same rules (insert/insert of one
 *       key).
 * </ul>
 *
 * <p>A conflict is a change that is dropped because the row changed here after it (or was deleted
 * here): each concurrent pair of writes is counted once, on the side where the loser arrives.
 */
public final class LastUpdateWins {

  /**
   * What to do with an incoming change.
   *
   * @param apply whether to write it
   * @param conflict why it is dropped as a conflict, or null when it is not one
   */
  public record Decision(boolean apply, String conflict) {
    static final Decision APPLY = new Decision(true, null);
    static final Decision SKIP = new Decision(false, null);
  }

  private LastUpdateWins() {}

  /**
   * @param op the incoming change's operation
   * @param existing the target row's last write, or empty when the row is absent
   * @param incomingMicros the incoming change's (origin) commit time
   * @param incomingFirst whether the incoming change's node sorts before this side's
   */
  public static Decision decide(
      Op op, Optional<Target.RowWrite> existing, long incomingMicros, boolean incomingFirst) {
    if (op == Op.DELETE || op == Op.TRUNCATE || op == Op.READ) {
      return Decision.APPLY;
    }
    if (existing.isEmpty()) {
      return op == Op.UPDATE
          ? new Decision(false, "the row was deleted on this side; the delete wins")
          : Decision.APPLY;
    }
    Target.RowWrite row = existing.get();
    if (row.byThisOrigin() || row.commitMicros() == 0) {
      return Decision.APPLY;
    }
    if (incomingMicros > row.commitMicros()) {
      return Decision.APPLY;
    }
    if (incomingMicros == row.commitMicros()) {
      return incomingFirst
          ? Decision.APPLY
          : new Decision(false, "equal commit times; the node whose name sorts first wins");
    }
    return new Decision(false, "the row changed on this side later");
  }
}
