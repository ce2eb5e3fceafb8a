package dev.sluice.stream.internal;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Lsn;
import dev.sluice.journal.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The messages a rule publishes, whatever the broker: one per change, and, with transaction
 * messages on, a BEGIN before the rule's first change of each source transaction and an END after
 * the transaction's last change in the journal.
 *
 * <ul>
 *   <li>Snapshot rows ({@code op: r}) belong to no transaction: no BEGIN, no END, no {@code
 *       transaction} block. A transaction of which the rule sends nothing gets neither.
 *   <li>The END comes when the journal's last change of the transaction goes by ({@link
 *       #transactionEnd}), sent by the rule or not (another table, or a kind its mode leaves out);
 *       it counts the changes the rule sent, per table.
 *   <li>Exactly once across crashes: a broker stores a prefix of what was sent, and a rule commits
 *       only between source transactions, so what a new connection finds of the rule after its last
 *       commit holds every message of a transaction it had begun. Replayed through {@link #stored}
 *       in order, they give back the open transaction and its counts: a change sent again gets no
 *       second BEGIN, and {@link #recovered} gives the END that a crash kept from following a
 *       transaction's last change. A BEGIN does not advance the checkpoint ({@link
 *       #advancesCheckpoint}): the rule resumes before the change it announced.
 * </ul>
 *
 * <p>Used by one thread.
 */
public final class RuleMessages {
  private final String rule;
  private final ChangeFormat format;
  private final boolean transactions;
  private Open open;

  /**
   * @param transactions whether BEGIN and END messages frame each source transaction
   */
  public RuleMessages(String rule, ChangeFormat format, boolean transactions) {
    this.rule = rule;
    this.format = format;
    this.transactions = transactions;
  }

  /** A source transaction of which the rule has sent its BEGIN and not its END. */
  private static final class Open {
    final long txId;
    final Map<String, Long> perTable = new LinkedHashMap<>();
    long count;

    /** Set when the transaction's last change is stored but its END is not. */
    long endPosition = JournalPosition.NONE;

    long endCommitMicros;
    long endLsn;

    Open(long txId) {
      this.txId = txId;
    }

    long count(String table) {
      count++;
      return perTable.merge(table, 1L, Long::sum);
    }
  }

  /** The messages for one change the rule sends: its BEGIN when it is the first, then itself. */
  public List<StreamMessage> change(ChangeEvent change, String renamed, long nowMillis) {
    List<StreamMessage> messages = new ArrayList<>(2);
    ChangeFormat.TransactionOrder order = null;
    if (transactions && change.op() != Op.READ) {
      if (open == null || open.txId != change.txId()) {
        open = new Open(change.txId());
        messages.add(
            transaction(
                new TransactionEvent(
                    TransactionEvent.Status.BEGIN,
                    change.txId(),
                    change.position(),
                    change.commitTimeMicros(),
                    change.lsn(),
                    0,
                    Map.of()),
                nowMillis));
      }
      long perTable = open.count(collection(change));
      order = new ChangeFormat.TransactionOrder(change.txId(), open.count, perTable);
    }
    String position = JournalPosition.format(change.position());
    String id = rule + ":" + position;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(StreamMessage.POSITION, position);
    headers.put(StreamMessage.RULE, rule);
    headers.put(StreamMessage.COMMIT, Long.toString(change.commitTimeMicros()));
    headers.put(StreamMessage.TABLE, Subjects.header(change.table()));
    byte[] key = format.key(change);
    if (key != null) {
      headers.put(StreamMessage.KEY, new String(key, StandardCharsets.US_ASCII));
    }
    if (order != null) {
      headers.put(StreamMessage.TXID, Long.toString(change.txId()));
      if (change.isLastInTransaction()) {
        headers.put(StreamMessage.COMMIT_LSN, Lsn.format(change.commitLsn()));
      }
    }
    contentType(headers);
    messages.add(
        new StreamMessage(
            StreamMessage.Kind.CHANGE,
            id,
            change.table(),
            renamed,
            key,
            format.change(change, order, id, nowMillis),
            headers));
    return messages;
  }

  /**
   * The messages due when the journal's last change of a source transaction goes by, whether the
   * rule sent it or not: the END, when the rule sent a change of the transaction.
   */
  public List<StreamMessage> transactionEnd(ChangeEvent last, long nowMillis) {
    if (!transactions || open == null || open.txId != last.txId()) {
      return List.of();
    }
    return List.of(end(last.position(), last.commitTimeMicros(), last.commitLsn(), nowMillis));
  }

  /**
   * Replays one stored message of the rule, in the order the broker holds them, from the rule's
   * last commit on.
   *
   * @param header the message's header of a name, or null
   */
  public void stored(Function<String, String> header) {
    String kind = header.apply(StreamMessage.TRANSACTION);
    String txId = header.apply(StreamMessage.TXID);
    if (TransactionEvent.Status.BEGIN.lowerCase().equals(kind)) {
      open = new Open(Long.parseLong(txId));
    } else if (TransactionEvent.Status.END.lowerCase().equals(kind)) {
      open = null;
    } else if (open != null && txId != null && Long.parseLong(txId) == open.txId) {
      var table = Subjects.table(header.apply(StreamMessage.TABLE));
      open.count(table.schema() + "." + table.name());
      String commitLsn = header.apply(StreamMessage.COMMIT_LSN);
      if (commitLsn != null) {
        open.endPosition = JournalPosition.parse(header.apply(StreamMessage.POSITION));
        open.endCommitMicros = Long.parseLong(header.apply(StreamMessage.COMMIT));
        open.endLsn = Lsn.parse(commitLsn);
      }
    }
  }

  /**
   * After {@link #stored}: the END of a transaction whose last change the broker holds without its
   * END (a crash between them), else nothing. Publish it before anything else.
   */
  public List<StreamMessage> recovered(long nowMillis) {
    if (open == null || open.endPosition == JournalPosition.NONE) {
      return List.of();
    }
    return List.of(end(open.endPosition, open.endCommitMicros, open.endLsn, nowMillis));
  }

  /**
   * Whether a stored message moves the rule's checkpoint to its position: every message but a
   * BEGIN, whose position is that of the change it announces.
   */
  public static boolean advancesCheckpoint(Function<String, String> header) {
    return !TransactionEvent.Status.BEGIN
        .lowerCase()
        .equals(header.apply(StreamMessage.TRANSACTION));
  }

  /** Whether a stored message is a change (not BEGIN or END). */
  public static boolean isChange(Function<String, String> header) {
    return header.apply(StreamMessage.TRANSACTION) == null;
  }

  private StreamMessage end(long position, long commitMicros, long commitLsn, long nowMillis) {
    TransactionEvent event =
        new TransactionEvent(
            TransactionEvent.Status.END,
            open.txId,
            position,
            commitMicros,
            commitLsn,
            open.count,
            open.perTable);
    open = null;
    return transaction(event, nowMillis);
  }

  private StreamMessage transaction(TransactionEvent event, long nowMillis) {
    String position = JournalPosition.format(event.position());
    String id = rule + ":" + position + ":" + event.status().lowerCase();
    byte[] key = format.transactionKey(event);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(StreamMessage.POSITION, position);
    headers.put(StreamMessage.RULE, rule);
    headers.put(StreamMessage.COMMIT, Long.toString(event.commitTimeMicros()));
    headers.put(StreamMessage.KEY, new String(key, StandardCharsets.US_ASCII));
    headers.put(StreamMessage.TRANSACTION, event.status().lowerCase());
    headers.put(StreamMessage.TXID, Long.toString(event.txId()));
    contentType(headers);
    StreamMessage.Kind kind =
        event.status() == TransactionEvent.Status.BEGIN
            ? StreamMessage.Kind.BEGIN
            : StreamMessage.Kind.END;
    return new StreamMessage(
        kind, id, null, null, key, format.transaction(event, id, nowMillis), headers);
  }

  private void contentType(Map<String, String> headers) {
    if (format.contentType() != null) {
      headers.put(StreamMessage.CONTENT_TYPE, format.contentType());
    }
  }

  private static String collection(ChangeEvent change) {
    return change.table().schema() + "." + change.table().name();
  }
}
