package dev.sluice.capture;

import java.time.Instant;

/**
 * Something that happened to capture, for the activity feed and the log.
 *
 * @param time when
 * @param type {@code capture.started}, {@code capture.stopped}, {@code capture.error}, {@code
 *     snapshot.start} or {@code snapshot.done}
 * @param message a short human-readable description
 */
public record CaptureEvent(Instant time, String type, String message) {}
