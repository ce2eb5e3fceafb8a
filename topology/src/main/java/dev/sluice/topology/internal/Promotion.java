package dev.sluice.topology.internal;

import dev.sluice.config.LagTolerance;
import dev.sluice.config.PostgresVersion;
import dev.sluice.topology.CaptureHandover;
import dev.sluice.topology.Fencing;
import dev.sluice.topology.PromotionRefusedException;
import dev.sluice.topology.PromotionResult;
import dev.sluice.topology.TopologyEvent;
import dev.sluice.topology.TopologyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a streaming standby the master of its group:
 *
 * <ol>
 *   <li>checks the node is a standby and (unless forced) within its lag tolerance of the master;
 *   <li>fences the old master when it can be reached ({@link Fence});
 *   <li>gives the node a moment ({@link #CATCH_UP_WAIT} at most) to replay the old master's last
 *       WAL, then checks the tolerance again: over it, the old master is unfenced and the promotion
 *       refused, having changed nothing;
 *   <li>{@code pg_promote()}, then waits until the node accepts writes;
 *   <li>looks at capture's slot on the new master.
 * </ol>
 *
 * The caller records the new roles. Every step is an event.
 */
public final class Promotion {
  /** The longest the node is given to replay what the fenced master wrote last. */
  static final Duration CATCH_UP_WAIT = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(Promotion.class);
  private static final String STANDBY_POSITION =
      "SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_receive_lsn()::text,"
          + " (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)"
          + "::bigint";

  private final Endpoint node;
  private final Endpoint master;
  private final Endpoint source;
  private final String slot;
  private final boolean force;
  private final Duration timeout;
  private final Consumer<TopologyEvent> events;
  private final Clock clock;

  /**
   * @param node the standby to promote
   * @param master the running master
   * @param source where capture reads now (to tell whether capture must follow), or null
   * @param slot capture's slot name
   */
  public Promotion(
      Endpoint node,
      Endpoint master,
      Endpoint source,
      String slot,
      boolean force,
      Duration timeout,
      Consumer<TopologyEvent> events,
      Clock clock) {
    this.node = node;
    this.master = master;
    this.source = source;
    this.slot = slot;
    this.force = force;
    this.timeout = timeout;
    this.events = events;
    this.clock = clock;
  }

  /** Runs the promotion; {@code startNanos} is when the command started (for the timing). */
  public PromotionResult run(long startNanos) {
    List<String> warnings = new ArrayList<>();
    try (Connection candidate = node.connectOrFail(timeout, "the node to promote")) {
      boolean standby = queryBoolean(candidate, "SELECT pg_is_in_recovery()");
      if (!standby && !force) {
        throw new TopologyException(
            "node "
                + node.describe()
                + " is not a standby: it already accepts writes (promoted outside Sluice?);"
                + " use --force to record it as the master of group "
                + node.group());
      }
      SlotFacts before = standby ? SlotFacts.onStandby(candidate, slot) : null;
      Connection old = tryConnect(master);
      try {
        Lag lag = standby ? measure(candidate, old) : new Lag(0, 0, "");
        LagTolerance tolerance = node.lagTolerance();
        if (!force && !tolerance.equals(LagTolerance.CAUGHT_UP) && !lag.within(tolerance)) {
          throw refusal(lag, tolerance, "");
        }
        Fencing fencing = Fencing.UNREACHABLE;
        long fencedAt = -1;
        if (old != null) {
          try {
            int ended = Fence.apply(old);
            fencing = Fencing.READ_ONLY;
            fencedAt = currentLsn(old);
            event(
                TopologyEvent.Type.STATE,
                master.name(),
                master.name()
                    + " fenced: read-only (default_transaction_read_only = on), "
                    + ended
                    + " client sessions ended, last WAL at "
                    + Lsn.format(fencedAt));
          } catch (SQLException e) {
            if (!force) {
              throw new TopologyException(
                  "cannot fence the master "
                      + master.describe()
                      + ": "
                      + Endpoint.firstLine(e.getMessage())
                      + " (it needs a superuser, or ALTER SYSTEM on default_transaction_read_only"
                      + " and pg_signal_backend; or stop it and use --force)",
                  e);
            }
            fencing = Fencing.NOT_FENCED;
            warnings.add(
                "the old master "
                    + master.describe()
                    + " could not be fenced: "
                    + Endpoint.firstLine(e.getMessage())
                    + "; stop it before clients write to it");
          }
        } else {
          warnings.add(
              "the old master "
                  + master.describe()
                  + " could not be reached and was not fenced: make sure it does not come back"
                  + " writable (stop it, or rejoin it with sluice rejoin)");
          event(
              TopologyEvent.Type.STATE, master.name(), master.name() + " unreachable: not fenced");
        }
        if (standby) {
          try {
            lag = catchUp(candidate, fencedAt);
          } catch (SQLException | RuntimeException e) {
            if (fencing == Fencing.READ_ONLY) {
              unfence(old); // the node vanished before pg_promote(): keep the old master serving
            }
            throw e;
          }
          if (!force && !lag.within(tolerance)) {
            if (fencing == Fencing.READ_ONLY) {
              unfence(old);
            }
            throw refusal(
                lag,
                tolerance,
                fencing == Fencing.READ_ONLY
                    ? " (the master was fenced while the node caught up, and is writable again)"
                    : "");
          }
          event(
              TopologyEvent.Type.STATE,
              node.name(),
              node.name() + " promoting (" + Lsn.bytes(lag.bytes) + " behind" + lag.note + ")");
          promote(candidate);
        }
        awaitWrites(candidate, warnings);
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        CaptureHandover capture = handover(candidate, old, before);
        standbySlotsCheck(candidate, warnings);
        LOG.info(
            "promoted {} to master of group {} in {} ms (old master {}: {})",
            node.name(),
            node.group(),
            took.toMillis(),
            master.name(),
            fencing);
        return new PromotionResult(
            node.group(),
            node.name(),
            master.name(),
            fencing,
            lag.bytes,
            lag.millis,
            force && !lag.within(tolerance),
            took,
            capture,
            warnings);
      } finally {
        closeQuietly(old);
      }
    } catch (SQLException e) {
      throw node.unreachable(e, "while promoting it");
    }
  }

  private PromotionRefusedException refusal(Lag lag, LagTolerance tolerance, String after) {
    return new PromotionRefusedException(
        "refusing to promote "
            + node.describe()
            + ": it is "
            + Lsn.bytes(lag.bytes)
            + " ("
            + lag.bytes
            + " bytes) and "
            + Lsn.millis(lag.millis)
            + " behind the master "
            + master.name()
            + lag.note
            + ", over its lagTolerance "
            + tolerance
            + (tolerance.equals(LagTolerance.CAUGHT_UP)
                ? " (it must have replayed everything the master wrote)"
                : "")
            + after
            + "; wait until it catches up, or use --force (what it has not replayed is lost)",
        lag.bytes,
        lag.millis);
  }

  /** How far behind: bytes, milliseconds, and a note on what it was measured against. */
  private record Lag(long bytes, long millis, String note) {
    /** Within the tolerance; a time lag that cannot be measured is never within a time limit. */
    boolean within(LagTolerance tolerance) {
      if (millis < 0 && bytes > 0 && tolerance.time() != null) {
        return false;
      }
      return tolerance.allows(bytes, millis);
    }
  }

  private Lag measure(Connection candidate, Connection old) throws SQLException {
    long reference = old == null ? -1 : currentLsn(old);
    return lagAgainst(candidate, reference);
  }

  private Lag lagAgainst(Connection candidate, long reference) throws SQLException {
    try (Statement st = candidate.createStatement();
        ResultSet rs = st.executeQuery(STANDBY_POSITION)) {
      rs.next();
      long replay = Lsn.parse(rs.getString(1));
      String received = rs.getString(2);
      long age = rs.getLong(3);
      boolean ageKnown = !rs.wasNull();
      String note = "";
      if (reference < 0) {
        reference = received == null ? replay : Math.max(replay, Lsn.parse(received));
        note = " (the master is unreachable: measured against what the node received from it)";
      }
      long bytes = Math.max(0, reference - replay);
      long millis = bytes == 0 ? 0 : ageKnown ? Math.max(0, age) : -1;
      return new Lag(bytes, millis, note);
    }
  }

  /**
   * Waits (at most {@link #CATCH_UP_WAIT}) for the node to replay up to the fenced master's last
   * position, or, with the master unreachable, up to what it received.
   */
  private Lag catchUp(Connection candidate, long fencedAt) throws SQLException {
    long deadline = System.nanoTime() + CATCH_UP_WAIT.toNanos();
    Lag lag = lagAgainst(candidate, fencedAt);
    while (lag.bytes > 0 && System.nanoTime() < deadline) {
      sleep(5);
      lag = lagAgainst(candidate, fencedAt);
    }
    return lag;
  }

  private void promote(Connection candidate) throws SQLException {
    long started = System.nanoTime();
    if (!queryBoolean(candidate, "SELECT pg_promote(true, 60)")) {
      throw new TopologyException(
          "pg_promote() on " + node.describe() + " did not finish within 60 s; look at its log");
    }
    LOG.debug("pg_promote() took {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  /** Waits until the node accepts a write from a new session's defaults (an xid is assigned). */
  private void awaitWrites(Connection candidate, List<String> warnings) throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos() * 6;
    while (true) {
      boolean recovering = queryBoolean(candidate, "SELECT pg_is_in_recovery()");
      if (!recovering) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new TopologyException(node.describe() + " is still in recovery after pg_promote()");
      }
      sleep(5);
    }
    try (Statement st = candidate.createStatement();
        ResultSet rs = st.executeQuery("SHOW default_transaction_read_only")) {
      rs.next();
      if ("on".equals(rs.getString(1))) {
        warnings.add(
            node.name()
                + " had default_transaction_read_only = on (a former fence?); it was reset so the"
                + " new master accepts writes");
        Fence.lift(candidate);
      }
    }
    try (Statement st = candidate.createStatement()) {
      st.execute("SELECT pg_current_xact_id()");
    }
  }

  private CaptureHandover handover(Connection candidate, Connection old, SlotFacts before)
      throws SQLException {
    boolean moved =
        source != null && source.sameDatabaseAs(master.host(), master.port(), master.database());
    if (!moved) {
      return new CaptureHandover(
          false, null, slot, false, false, null, "capture's source is not in this group");
    }
    SlotFacts after = SlotFacts.onPrimary(candidate, slot);
    Boolean failoverOnMaster = old == null ? null : SlotFacts.failoverOnMaster(old, slot);
    if (after.usable()) {
      String advice =
          after.synced()
              ? "resume capture on "
                  + node.name()
                  + " with the synchronised slot '"
                  + slot
                  + "' (confirmed at "
                  + after.confirmedFlush()
                  + "): no gap, and changes already journaled are dropped by source position"
              : "the slot '"
                  + slot
                  + "' exists on "
                  + node.name()
                  + " but was not synchronised from the old master: its position is unrelated;"
                  + " drop it, create it anew and re-read the captured tables";
      return new CaptureHandover(
          true, node.url(), slot, true, after.synced(), after.confirmedFlush(), advice);
    }
    String why = SlotFacts.whyNotSynced(before, failoverOnMaster, after, node.name());
    return new CaptureHandover(
        true,
        node.url(),
        slot,
        false,
        false,
        null,
        "the slot '"
            + slot
            + "' is not usable on "
            + node.name()
            + " ("
            + why
            + "): create it there and re-read the captured tables (incremental snapshot) so"
            + " every target converges");
  }

  /**
   * Warns when the new master's {@code synchronized_standby_slots} names slots it lacks: logical
   * decoding there (capture) would wait for them forever. The setting exists from PostgreSQL 17 on.
   */
  private void standbySlotsCheck(Connection candidate, List<String> warnings) throws SQLException {
    if (!PostgresVersion.of(candidate).hasFailoverSlots()) {
      return;
    }
    try (Statement st = candidate.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT s FROM unnest(string_to_array(replace("
                    + "current_setting('synchronized_standby_slots'), ' ', ''), ',')) s"
                    + " WHERE s <> '' AND s NOT IN (SELECT slot_name FROM pg_replication_slots)")) {
      List<String> missing = new ArrayList<>();
      while (rs.next()) {
        missing.add(rs.getString(1));
      }
      if (!missing.isEmpty()) {
        warnings.add(
            "synchronized_standby_slots on the new master "
                + node.name()
                + " names "
                + missing
                + ", which it does not have: capture there waits for them; create them or"
                + " ALTER SYSTEM SET synchronized_standby_slots = '' and reload");
      }
    }
  }

  private void unfence(Connection old) {
    try {
      Fence.lift(old);
      event(TopologyEvent.Type.STATE, master.name(), master.name() + " unfenced: writable again");
    } catch (SQLException e) {
      LOG.error(
          "could not unfence {}: {}; it stays read-only until ALTER SYSTEM RESET"
              + " default_transaction_read_only and a reload",
          master.describe(),
          e.getMessage());
    }
  }

  private Connection tryConnect(Endpoint endpoint) {
    try {
      return endpoint.connect(timeout);
    } catch (SQLException e) {
      LOG.warn("the master {} cannot be reached: {}", endpoint.describe(), e.getMessage());
      return null;
    }
  }

  private static long currentLsn(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      return Lsn.parse(rs.getString(1));
    }
  }

  static boolean queryBoolean(Connection c, String sql) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql);
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private void event(TopologyEvent.Type type, String who, String message) {
    events.accept(new TopologyEvent(type, clock.instant(), node.group(), who, message));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopologyException("interrupted while promoting", e);
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing a connection to a node we are done with
      }
    }
  }
}
