package dev.sluice.apply;

/**
 * How far a rule has applied the journal, stored in its target with the data it covers.
 *
 * @param position the journal position of the last entry applied (or skipped as not covered)
 * @param lsn the commit LSN of the last source transaction applied, or 0
 * @param commitTimeMicros the source commit time of the last change applied, or 0
 */
public record Checkpoint(long position, long lsn, long commitTimeMicros) {

  /**
   * The checkpoint a rule stored in its target, if any.
   *
   * @throws TargetException when the target cannot be read
   */
  public static java.util.Optional<Checkpoint> read(
      dev.sluice.config.TargetConfig target, String rule) throws TargetException {
    if (target.dialect().isStream()) {
      try (StreamTarget stream =
          dev.sluice.apply.internal.StreamTargets.inspect(target, rule, "")) {
        return stream.checkpoint();
      }
    }
    try (var connection = dev.sluice.apply.internal.Targets.connect(target)) {
      return connection.checkpoint(rule);
    }
  }
}
