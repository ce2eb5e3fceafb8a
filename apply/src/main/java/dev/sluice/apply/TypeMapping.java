package dev.sluice.apply;

/**
 * How a source column is stored in a target.
 *
 * @param targetType the target's type (DDL type, or a BSON type for MongoDB)
 * @param fidelity exact, converted or limited
 * @param note how values are converted, or which ones cannot be stored; empty when exact
 */
public record TypeMapping(String targetType, Fidelity fidelity, String note) {

  public static TypeMapping exact(String targetType) {
    return new TypeMapping(targetType, Fidelity.EXACT, "");
  }

  public static TypeMapping converted(String targetType, String note) {
    return new TypeMapping(targetType, Fidelity.CONVERTED, note);
  }

  public static TypeMapping limited(String targetType, String note) {
    return new TypeMapping(targetType, Fidelity.LIMITED, note);
  }
}
