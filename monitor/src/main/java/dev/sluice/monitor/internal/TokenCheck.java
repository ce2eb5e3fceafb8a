package dev.sluice.monitor.internal;

import dev.sluice.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token check. Both sides are hashed before they are compared, so the comparison takes
 * the same time whatever the presented token is (length included).
 */
final class TokenCheck {
  private final byte[] expected;

  /**
   * @param token the required token, or null when none is required
   */
  TokenCheck(Secret token) {
    this.expected = token == null || token.isEmpty() ? null : sha256(token.reveal());
  }

  boolean required() {
    return expected != null;
  }

  /** Whether a request presenting this token (null: none) may pass. */
  boolean accepts(String presented) {
    if (expected == null) {
      return true;
    }
    byte[] actual = sha256(presented == null ? "" : presented);
    return MessageDigest.isEqual(expected, actual) && presented != null;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
