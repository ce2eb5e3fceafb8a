package dev.sluice.apply;

import java.time.Instant;

/**
 * Something that happened to a rule, for the activity feed and the log.
 *
 * @param time when
 * @param type {@code rule.added}, {@code rule.error}, {@code rule.paused} (target unreachable),
 *     {@code rule.resumed}, {@code rule.sync.start}, {@code rule.sync.done}, {@code
 *     rule.resync.started}, {@code rule.resync.completed} or {@code rule.resync.failed}
 * @param rule the rule's name
 * @param message a short description
 */
public record ApplyEvent(Instant time, String type, String rule, String message) {}
