package dev.sluice.monitor;

import dev.sluice.config.Masking;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Capture at a glance.
 *
 * @param state {@code starting}, {@code snapshotting}, {@code streaming}, {@code stopped} or {@code
 *     failed} ({@code failed} makes the health check fail)
 * @param sourceVersion the source's PostgreSQL version ({@code 15.14}), or null when unknown (a
 *     state file written before it was recorded)
 * @param slot the replication slot
 * @param publication the publication
 * @param tables how many tables are captured
 * @param confirmedLsn the slot's confirmed position on the source ({@code 16/B374D848}), or null
 *     when unknown
 * @param lastLsn the LSN of the last change journaled, or null when none yet
 * @param walRetainedBytes WAL the source keeps for the slot, in bytes, or -1 when unknown
 * @param eventsPerSecond changes journaled per second, over the last seconds
 * @param eventsTotal changes journaled since start
 * @param duplicatesDropped changes re-delivered by the engine after a crash, recognised and dropped
 * @param startedAt when capture started, or null
 * @param lastCommitTime the source commit time of the last change journaled, or null
 * @param lastError the last error (credentials in it masked), or null
 * @param tablesPendingSnapshot tables added to capture whose earlier rows are not journaled yet
 * @param warning what keeps capture from being whole though it runs, or null (makes the health
 *     check fail)
 */
public record CaptureView(
    String state,
    String sourceVersion,
    String slot,
    String publication,
    int tables,
    String confirmedLsn,
    String lastLsn,
    long walRetainedBytes,
    double eventsPerSecond,
    long eventsTotal,
    long duplicatesDropped,
    Instant startedAt,
    Instant lastCommitTime,
    String lastError,
    List<String> tablesPendingSnapshot,
    String warning) {

  public CaptureView {
    Objects.requireNonNull(state, "state");
    lastError = Masking.maskUrl(lastError);
    tablesPendingSnapshot =
        tablesPendingSnapshot == null ? List.of() : List.copyOf(tablesPendingSnapshot);
  }

  /** Whether capture has failed. */
  public boolean failed() {
    return state.equals("failed");
  }
}
