package dev.sluice.config;

/** How a rule moves changes into its target. */
public enum RuleMode implements YamlEnum {
  /** Inserts, updates and deletes; rows that exist only on the target are left alone. */
  CDC,
  /** A full copy first, then cdc; target rows absent on the source are removed after the copy. */
  MIRROR,
  /** Inserts only, into a target whose rows are a prefix of the source's. */
  APPEND
}
