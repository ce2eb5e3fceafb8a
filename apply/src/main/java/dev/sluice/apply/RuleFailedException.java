package dev.sluice.apply;

/**
 * A rule stopped at a change its target refused; the message names the rule, the table, the key,
 * the journal position and the target's own message.
 */
public final class RuleFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  public RuleFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
