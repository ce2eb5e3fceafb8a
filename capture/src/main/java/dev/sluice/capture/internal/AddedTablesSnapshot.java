package dev.sluice.capture.internal;

import dev.sluice.config.TableName;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot that reads the earlier rows of tables added to capture at this start, seen through
 * until its last row is in the journal.
 *
 * <ul>
 *   <li>It is asked for only once no transaction that began writing before the tables joined the
 *       publication is still open: such a transaction's changes are decoded with the publication as
 *       it was when it began (so not streamed), and a snapshot taken before it commits would not
 *       see them either.
 *   <li>A request the engine has not started within {@link #START_TIMEOUT} (a signal lost when the
 *       engine restarted its task), or a snapshot it aborted, is asked for again; each time is
 *       logged, and {@link #problem} says so for the status and health checks until it completes.
 *   <li>When it completes, the tables are removed from {@link AddedTables#FILE}; until then a
 *       restart reads them again.
 * </ul>
 *
 * <p>Thread-safe: {@link #tend} runs on capture's status thread, the engine's reports on its own;
 * the state moves under this object's lock, never held during a query, so that status reads never
 * wait for the source.
 */
public final class AddedTablesSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(AddedTablesSnapshot.class);

  /** How long a requested snapshot may take to start before it is asked for again. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /** How long after an aborted snapshot it is asked for again. */
  static final Duration RETRY_DELAY = Duration.ofSeconds(5);

  /** How long waiting for older transactions goes unsaid. */
  static final Duration QUIET_WAIT = Duration.ofSeconds(10);

  /** What the snapshot needs from the source (capture's probe connection). */
  public interface Source {
    /**
     * The oldest transaction id still running ({@code pg_snapshot_xmin(pg_current_snapshot())}).
     */
    long oldestRunningXid() throws SQLException;

    /** The transaction {@code xid} as "pid N, open since T" for a message, or empty. */
    Optional<String> describeTransaction(long xid) throws SQLException;
  }

  private enum Phase {
    WAITING_FOR_TRANSACTIONS,
    TO_REQUEST,
    REQUESTED,
    READING,
    DONE
  }

  private final List<TableName> tables;
  private final Source source;
  private final Consumer<List<TableName>> signal;
  private final Path journalDir;
  private final BiConsumer<String, String> events;
  private final Instant addedAt;
  private final long xidHorizon;
  private volatile Phase phase = Phase.WAITING_FOR_TRANSACTIONS;
  private volatile Instant phaseSince;
  private volatile String problem;
  private Instant told; // status thread only
  private int requests; // under this object's lock

  /**
   * @param tables the tables added at this start (not empty)
   * @param xidHorizon the source's next transaction id read after they joined the publication
   * @param signal asks the engine for a blocking snapshot of the tables it is given
   * @param events hears activity events (type, message)
   */
  public AddedTablesSnapshot(
      List<TableName> tables,
      Source source,
      long xidHorizon,
      Consumer<List<TableName>> signal,
      Path journalDir,
      BiConsumer<String, String> events,
      Instant now) {
    this.tables = List.copyOf(tables);
    this.source = source;
    this.xidHorizon = xidHorizon;
    this.signal = signal;
    this.journalDir = journalDir;
    this.events = events;
    this.addedAt = now;
    this.phaseSince = now;
  }

  /**
   * Moves the snapshot on; called every few hundred milliseconds until {@link #isDone()}, on one
   * thread.
   */
  public void tend(Instant now) {
    try {
      switch (phase) {
        case WAITING_FOR_TRANSACTIONS -> awaitOlderTransactions(now);
        case TO_REQUEST -> {
          if (!now.isBefore(phaseSince)) {
            request(Phase.TO_REQUEST, now);
          }
        }
        case REQUESTED -> {
          if (Duration.between(phaseSince, now).compareTo(START_TIMEOUT) > 0
              && request(Phase.REQUESTED, now)) {
            problem =
                "the snapshot of the tables added to capture ("
                    + names(tables)
                    + ") did not start within "
                    + START_TIMEOUT.toSeconds()
                    + " s of being asked for; asked again";
            LOG.warn("{}", problem);
            events.accept("capture.error", problem);
          }
        }
        case READING, DONE -> {}
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("the snapshot of the added tables waits for the source: {}", e.getMessage());
    }
  }

  private void awaitOlderTransactions(Instant now) throws SQLException {
    long oldest = source.oldestRunningXid();
    if (oldest >= xidHorizon) {
      LOG.info(
          "tables added to capture: {}; their rows are read in a snapshot of their own", tables);
      request(Phase.WAITING_FOR_TRANSACTIONS, now);
      return;
    }
    if (Duration.between(addedAt, now).compareTo(QUIET_WAIT) > 0
        && (told == null || Duration.between(told, now).compareTo(QUIET_WAIT) > 0)) {
      told = now;
      String transaction = source.describeTransaction(oldest).map(d -> " (" + d + ")").orElse("");
      problem =
          "the snapshot of the tables added to capture ("
              + names(tables)
              + ") waits for transaction "
              + oldest
              + transaction
              + " to end: it began before they joined the publication, so its changes to them are"
              + " not streamed and only a snapshot taken after it can read them";
      LOG.warn("{}", problem);
    }
  }

  /** Asks the engine for the snapshot when the phase is still {@code from}; says whether it did. */
  private boolean request(Phase from, Instant now) {
    synchronized (this) {
      if (phase != from) {
        return false;
      }
      requests++;
      phase = Phase.REQUESTED;
      phaseSince = now;
    }
    signal.accept(tables);
    return true;
  }

  /** The engine started the snapshot (its first notification is journaled). */
  public synchronized void started() {
    if (phase == Phase.REQUESTED) {
      phase = Phase.READING;
    }
  }

  /** The engine aborted the snapshot, or left it for streaming: asked for again shortly. */
  public void aborted(String why, Instant now) {
    synchronized (this) {
      if (phase == Phase.DONE) {
        return;
      }
      phase = Phase.TO_REQUEST;
      phaseSince = now.plus(RETRY_DELAY);
      problem = why + "; asked again in " + RETRY_DELAY.toSeconds() + " s";
    }
    LOG.error("{}", problem);
    events.accept("capture.error", problem);
  }

  /** The snapshot's end is journaled (and synced). */
  public void completed(Instant now) {
    int asked;
    synchronized (this) {
      if (phase != Phase.READING && phase != Phase.REQUESTED) {
        return;
      }
      phase = Phase.DONE;
      problem = null;
      asked = requests;
    }
    AddedTables.done(journalDir);
    LOG.info(
        "the tables added to capture are whole in the journal ({} s after they were added{})",
        Duration.between(addedAt, now).toMillis() / 1000.0,
        asked > 1 ? ", asked for " + asked + " times" : "");
  }

  public boolean isDone() {
    return phase == Phase.DONE;
  }

  /**
   * What keeps the snapshot from completing, for status and health (a retry, a long wait), or null
   * while it goes as it should. Never waits.
   */
  public String problem() {
    return phase == Phase.DONE ? null : problem;
  }

  /** The tables whose earlier rows are not in the journal yet (empty when done). Never waits. */
  public List<TableName> pending() {
    return phase == Phase.DONE ? List.of() : tables;
  }

  private static String names(List<TableName> tables) {
    return String.join(", ", tables.stream().map(TableName::toString).toList());
  }
}
