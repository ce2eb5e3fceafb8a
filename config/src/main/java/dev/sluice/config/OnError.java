package dev.sluice.config;

/** What a rule does with a change its target permanently refuses. */
public enum OnError implements YamlEnum {
  /** The rule stops at the failing change; status shows it. */
  STOP,
  /** The change is written to the dead-letter file beside the journal and the rule goes on. */
  SKIP
}
