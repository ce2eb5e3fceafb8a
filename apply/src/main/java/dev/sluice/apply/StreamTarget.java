package dev.sluice.apply;

import dev.sluice.config.Dialect;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.ChangeEvent;
import java.util.Map;
import java.util.Optional;

/**
 * A target that receives each change as a message on a broker (Kafka, NATS JetStream), for one
 * rule. Implementations live outside {@code apply} (module {@code stream}) and are found through
 * {@link Factory} with {@link java.util.ServiceLoader}, so that {@code apply} never imports a
 * broker client.
 *
 * <p>The contract that makes a rule's messages exactly once across crashes:
 *
 * <ul>
 *   <li>{@link #send} publishes in journal order; what the broker stores is always a prefix of what
 *       was sent (a failed publish fails the connection: nothing after it is stored).
 *   <li>{@link #commit} returns only when the broker has acknowledged everything sent, and records
 *       the checkpoint where {@link #checkpoint} finds it.
 *   <li>{@link #checkpoint} recovers the position of the last change the broker holds for the rule,
 *       which may be past the last recorded checkpoint (changes sent before a crash).
 * </ul>
 *
 * <p>Used by one thread.
 */
public interface StreamTarget extends AutoCloseable {

  /** The position of the last change of the rule that the broker holds, if any. */
  Optional<Checkpoint> checkpoint() throws TargetException;

  /**
   * Called once by the rule's own pass, after {@link #checkpoint} and before anything is sent
   * (never by readers such as {@code verify}): a target publishes here what a crash left owed after
   * the last message the broker holds (a transaction's END).
   */
  default void resume() throws TargetException {}

  /**
   * Publishes one change (asynchronously; blocks while too many are unacknowledged).
   *
   * @param change the change, its images without the rule's excluded columns
   * @param renamed the rule's {@code rename} of the table, or null
   */
  void send(ChangeEvent change, String renamed) throws TargetException;

  /**
   * Tells that the journal's last change of a source transaction went by, after {@link #send} when
   * the rule sent it, and also when it did not (another table, or a kind its mode leaves out): a
   * target that frames transactions sends its END here. Called before the commit that follows.
   */
  default void transactionEnd(ChangeEvent last) throws TargetException {}

  /** Waits until the broker holds everything sent, then records the checkpoint. */
  void commit(Checkpoint checkpoint) throws TargetException;

  /**
   * What the broker holds of the rule per source table: its messages with a journal position in
   * {@code [from, to]} (for {@code sluice verify}).
   */
  Map<TableName, Held> held(long from, long to) throws TargetException;

  /**
   * @param messages how many messages
   * @param lastPosition the journal position of the last one
   */
  record Held(long messages, long lastPosition) {}

  /** Closes the connection; what is unacknowledged is re-sent by the next connection. */
  @Override
  void close();

  /** Opens stream targets of the dialects it accepts. */
  interface Factory {
    boolean accepts(Dialect dialect);

    /**
     * Connects for one rule; a broker that cannot be reached is a retriable failure.
     *
     * @param database the source database's name (in each message's {@code source.db})
     */
    StreamTarget connect(TargetConfig target, String rule, String database) throws TargetException;

    /**
     * Opens the target to read back what a rule published ({@link #checkpoint}, {@link #held}),
     * leaving a running rule's publishing alone (a Kafka rule's producer is not fenced off); by
     * default as {@link #connect}, for a target whose connection takes nothing over.
     */
    default StreamTarget inspect(TargetConfig target, String rule, String database)
        throws TargetException {
      return connect(target, rule, database);
    }
  }
}
