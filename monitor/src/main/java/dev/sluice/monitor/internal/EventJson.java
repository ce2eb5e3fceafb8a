package dev.sluice.monitor.internal;

import dev.sluice.monitor.ActivityFeed;
import java.time.Instant;

/**
 * An activity event as the API writes it.
 *
 * @param id the event's id in the feed (increasing; give it to {@code /api/stream?after=})
 * @param time when it happened
 * @param type its type
 * @param subject what it happened to
 * @param message what happened
 */
record EventJson(long id, Instant time, String type, String subject, String message) {
  static EventJson of(ActivityFeed.Entry entry) {
    return new EventJson(
        entry.id(),
        entry.event().time(),
        entry.event().type(),
        entry.event().subject(),
        entry.event().message());
  }
}
