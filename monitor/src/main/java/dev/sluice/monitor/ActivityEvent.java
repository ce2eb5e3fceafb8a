package dev.sluice.monitor;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Something that happened, for the activity feed: pushed to SSE clients as it happens, kept in the
 * last {@link ActivityFeed#DEFAULT_CAPACITY} events, and written to the state file.
 *
 * @param time when it happened
 * @param type one of {@link #TYPES}
 * @param subject what it happened to: {@code capture}, a rule's name, {@code group/node} for a
 *     replica
 * @param message a short human-readable description (credentials in it masked)
 */
public record ActivityEvent(Instant time, String type, String subject, String message) {

  /** Every event type: a closed union, so that scripts can switch on it. */
  public static final Set<String> TYPES =
      Set.of(
          "capture.started",
          "capture.stopped",
          "capture.error",
          "snapshot.start",
          "snapshot.done",
          "rule.added",
          "rule.removed",
          "rule.paused",
          "rule.resumed",
          "rule.error",
          "rule.sync.start",
          "rule.sync.done",
          "rule.resync.requested",
          "rule.resync.started",
          "rule.resync.completed",
          "rule.resync.failed",
          "replica.added",
          "replica.removed",
          "replica.state",
          "replica.promoted",
          "replica.rejoined",
          "routing.changed",
          "config.reloaded",
          "error");

  /**
   * @throws IllegalArgumentException when the type is not one of {@link #TYPES}
   */
  public ActivityEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(type, "type");
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "'" + type + "' is not an activity event type; known: " + new java.util.TreeSet<>(TYPES));
    }
    subject = subject == null ? "" : subject;
    message = dev.sluice.config.Masking.maskUrl(message == null ? "" : message);
  }
}
