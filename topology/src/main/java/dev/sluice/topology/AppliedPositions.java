package dev.sluice.topology;

import java.util.Optional;

/**
 * Where each rule stands, for the lag of CDC-fed slaves ({@code fedBy: RULE}). The apply engine
 * implements it; topology asks once per probe for every CDC-fed slave.
 *
 * <p>Implementations must be thread-safe and fast (no database round trip): they are called from
 * the probe thread.
 */
@FunctionalInterface
public interface AppliedPositions {
  /** No rule reports anything: CDC-fed slaves show an unknown lag and get no reads. */
  AppliedPositions NONE = rule -> Optional.empty();

  /** The rule's position, or empty when the rule is unknown or has not applied anything yet. */
  Optional<AppliedPosition> of(String rule);
}
