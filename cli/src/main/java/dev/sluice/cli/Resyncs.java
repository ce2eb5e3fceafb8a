package dev.sluice.cli;

import dev.sluice.apply.ApplyEvent;
import dev.sluice.apply.RuleStatus;
import dev.sluice.capture.Capture;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.RuleMode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.monitor.ResyncView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resyncs of a running sidecar ({@code POST /api/rules/{name}/resync}): a mirror copy of one
 * rule's tables taken while capture and every other rule run.
 *
 * <ul>
 *   <li>Capture reads the rule's tables in a snapshot framed by markers that name the rule ({@link
 *       Capture#resync}); streaming pauses while it reads (as for tables added to capture), and
 *       goes on from where it paused, so nothing is lost or journaled twice.
 *   <li>The rule, at the snapshot's start in journal order, begins a mirror copy: every row read is
 *       written (rows changed or deleted on the target are repaired), and at the snapshot's end the
 *       target rows of those tables whose key was not read are removed, in the transaction that
 *       moves its checkpoint past it. Changes streamed after the snapshot follow as usual.
 *   <li>Other rules pass over the snapshot's rows: their targets already follow the source.
 * </ul>
 *
 * <p>One resync at a time in capture (a second is refused with 409 until the first is read); only
 * {@code cdc} and {@code mirror} rules into a database can resync. Thread-safe.
 */
final class Resyncs {
  private static final Logger LOG = LoggerFactory.getLogger(Resyncs.class);

  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Resync> latest = new ConcurrentHashMap<>();
  private final Supplier<Capture> capture;

  Resyncs(Supplier<Capture> capture) {
    this.capture = capture;
  }

  /** One resync: its state moves under its own lock. */
  private static final class Resync {
    final String id;
    final String rule;
    final List<TableName> tables;
    final Instant requested = Instant.now();
    String state = "requested";
    long rowsRead;
    Instant finished;
    String error;

    Resync(String id, String rule, List<TableName> tables) {
      this.id = id;
      this.rule = rule;
      this.tables = tables;
    }

    synchronized void move(String from, String to) {
      if (state.equals(from)) {
        state = to;
      }
    }

    synchronized void end(String to, String why) {
      if (state.equals("completed") || state.equals("failed")) {
        return;
      }
      state = to;
      error = why;
      finished = Instant.now();
    }

    synchronized ResyncView view(long rowsApplied) {
      return new ResyncView(
          id,
          state,
          tables.stream().map(TableName::toString).toList(),
          rowsRead,
          rowsApplied,
          requested,
          finished,
          error);
    }
  }

  /**
   * Starts a resync of {@code name}.
   *
   * @return the answer: the resync's id, state and tables
   * @throws NoSuchElementException for an unknown rule (404)
   * @throws IllegalArgumentException for a rule that cannot resync (400)
   * @throws IllegalStateException while one runs for the rule, or capture is reading another
   *     snapshot (409)
   */
  synchronized ResyncView start(SluiceConfig config, String name) {
    RuleConfig rule =
        config.rules().stream()
            .filter(r -> r.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new NoSuchElementException("no rule '" + name + "'"));
    TargetConfig target = config.targetOf(rule);
    refuseUnsupported(rule, target);
    Resync running = latest.get(name);
    if (running != null && running.view(0).running()) {
      throw new IllegalStateException(
          "a resync of rule " + name + " is running (" + running.id + ", " + running.state + ")");
    }
    Capture current = capture.get();
    List<TableName> tables = current.tables().stream().filter(rule::covers).toList();
    if (tables.isEmpty()) {
      throw new IllegalArgumentException(
          "rule " + name + " covers no captured table: there is nothing to resync");
    }
    Resync resync = new Resync(name + "-" + ids.incrementAndGet(), name, tables);
    current.resync(
        name,
        tables,
        new Capture.ResyncListener() {
          @Override
          public void started() {
            resync.move("requested", "reading");
          }

          @Override
          public void completed(long rows) {
            synchronized (resync) {
              resync.rowsRead = rows;
            }
            resync.move("reading", "applying");
            resync.move("requested", "applying");
          }

          @Override
          public void failed(String why) {
            resync.end("failed", why);
          }
        });
    latest.put(name, resync);
    LOG.info("resync {} of rule {} asked for: {}", resync.id, name, tables);
    return resync.view(0);
  }

  private static void refuseUnsupported(RuleConfig rule, TargetConfig target) {
    if (target.dialect().isStream()) {
      throw new IllegalArgumentException(
          "rule "
              + rule.name()
              + " cannot resync: its target "
              + target.name()
              + " is a stream, whose consumers keep what was published (a resync cannot remove"
              + " messages); use 'sluice replay' to send history again");
    }
    if (rule.mode() == RuleMode.APPEND) {
      throw new IllegalArgumentException(
          "rule "
              + rule.name()
              + " cannot resync: append mode keeps every row it inserted and applies no update or"
              + " delete, so a mirror copy would change what it promises");
    }
    if (rule.mode() != RuleMode.CDC && rule.mode() != RuleMode.MIRROR) {
      throw new IllegalArgumentException(
          "rule "
              + rule.name()
              + " cannot resync: its target "
              + target.name()
              + " is written by applications too ("
              + rule.mode().yamlName()
              + "), and a mirror copy would remove their rows");
    }
  }

  /** Hears every rule's events: a resync's copy completed or was given up. */
  void onRuleEvent(ApplyEvent event) {
    Resync resync = latest.get(event.rule());
    if (resync == null) {
      return;
    }
    switch (event.type()) {
      case "rule.resync.completed" -> resync.end("completed", null);
      case "rule.resync.failed" -> resync.end("failed", event.message());
      default -> {}
    }
  }

  /** The latest resync of a rule, with the rows the rule wrote for it, or null. */
  ResyncView view(String rule, RuleStatus status) {
    Resync resync = latest.get(rule);
    if (resync == null) {
      return null;
    }
    RuleStatus.Sync sync = status == null ? null : status.lastSync();
    long applied =
        sync != null && sync.kind().equals("resync") && !sync.started().isBefore(resync.requested)
            ? sync.rows()
            : 0;
    return resync.view(applied);
  }
}
