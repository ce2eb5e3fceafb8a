package dev.sluice.topology;

import java.time.Duration;
import java.util.List;

/**
 * A promotion that happened.
 *
 * @param group the group
 * @param node the new master
 * @param previousMaster the old master
 * @param fencing what was done to the old master
 * @param lagBytes how far the node was behind when it was promoted (after the old master was fenced
 *     and the node was given a moment to catch up), or -1 when unknown
 * @param lagMillis the same as a time, or -1 when unknown
 * @param forced whether {@code force} overrode the lag tolerance
 * @param took from the call to the new master accepting writes
 * @param capture what capture must do now
 * @param warnings things the operator should look at (never empty strings)
 */
public record PromotionResult(
    String group,
    String node,
    String previousMaster,
    Fencing fencing,
    long lagBytes,
    long lagMillis,
    boolean forced,
    Duration took,
    CaptureHandover capture,
    List<String> warnings) {

  public PromotionResult {
    warnings = List.copyOf(warnings);
  }
}
