package dev.sluice.apply;

/** What a rule is doing. */
public enum RuleState {
  /** Connecting to its target and finding where to start. */
  STARTING,
  /** Copying a snapshot from the journal (mirror mode's initial copy). */
  SYNCING,
  /** Applying changes. */
  RUNNING,
  /** The target is unreachable or refused a write for a passing reason; retrying with backoff. */
  RETRYING,
  /** Stopped at a change the target refused; see the last error. */
  FAILED,
  /** Stopped by the sidecar. */
  STOPPED
}
