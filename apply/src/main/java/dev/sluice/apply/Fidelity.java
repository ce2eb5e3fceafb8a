package dev.sluice.apply;

/** How a source value arrives in a target type. */
public enum Fidelity {
  /** Unchanged: reading it back gives the source value. */
  EXACT,
  /** Stored in another form (documented per type); the value's meaning is kept. */
  CONVERTED,
  /**
   * Some values of this type cannot be stored (the note says which); applying one fails the rule.
   */
  LIMITED
}
