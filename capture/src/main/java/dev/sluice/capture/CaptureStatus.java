package dev.sluice.capture;

import dev.sluice.config.TableName;
import java.time.Instant;
import java.util.List;

/**
 * Capture at a glance. Immutable; a new one is made on each {@link Capture#status()} call.
 *
 * @param state what capture is doing
 * @param sourceVersion the source's PostgreSQL version, {@code major.minor} (e.g. {@code 15.14})
 * @param slot the replication slot
 * @param publication the publication
 * @param tables how many tables are captured
 * @param confirmedFlushLsn the slot's confirmed position on the source ({@code X/Y}), or null when
 *     unknown
 * @param walRetainedBytes WAL the source keeps for the slot, in bytes, or -1 when unknown
 * @param lastLsn the LSN of the last change journaled, or 0
 * @param lastCommitTime the source commit time of the last change journaled, or null
 * @param events changes journaled since start
 * @param duplicatesDropped re-delivered changes recognised and dropped since start
 * @param eventsPerSecond the rate of journaled changes over the last seconds
 * @param startedAt when capture started
 * @param lastError the last error, or null
 * @param tablesPendingSnapshot tables added to capture whose earlier rows are not journaled yet
 *     (their snapshot is asked for, or being read); empty when none
 * @param warning what keeps capture from being whole though it runs (a snapshot of added tables
 *     that is retried or waits long), or null
 */
public record CaptureStatus(
    State state,
    String sourceVersion,
    String slot,
    String publication,
    int tables,
    String confirmedFlushLsn,
    long walRetainedBytes,
    long lastLsn,
    Instant lastCommitTime,
    long events,
    long duplicatesDropped,
    double eventsPerSecond,
    Instant startedAt,
    String lastError,
    List<TableName> tablesPendingSnapshot,
    String warning) {

  public CaptureStatus {
    tablesPendingSnapshot = List.copyOf(tablesPendingSnapshot);
  }

  /** What capture is doing. */
  public enum State {
    STARTING,
    SNAPSHOTTING,
    STREAMING,
    STOPPED,
    FAILED
  }
}
