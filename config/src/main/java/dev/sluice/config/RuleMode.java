package dev.sluice.config;

/** How a rule moves changes into its target. */
public enum RuleMode implements YamlEnum {
  /** Inserts, updates and deletes; rows that exist only on the target are left alone. */
  CDC,
  /** A full copy first, then cdc; target rows absent on the source are removed after the copy. */
  MIRROR,
  /** Inserts only, into a target whose rows are a prefix of the source's. */
  APPEND,
  /**
   * PostgreSQL to PostgreSQL, both written by applications: the peer's sidecar runs the same rule
   * the other way; changes applied by the peer are not sent back, and conflicts are resolved last
   * update wins on the origin's commit time.
   */
  BIDIRECTIONAL
}
