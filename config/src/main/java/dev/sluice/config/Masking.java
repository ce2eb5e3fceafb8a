package dev.sluice.config;

import java.util.regex.Pattern;

/** Hides credentials inside connection strings before they are printed, logged or served. */
public final class Masking {
  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile(
          "((?:password|pwd|pass|sslpassword|token|secret)=)[^&;]*", Pattern.CASE_INSENSITIVE);

  private Masking() {}

  /**
   * Replaces a password in {@code user:password@} and in {@code password=} style parameters with
   * {@value Secret#MASK}.
   */
  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String masked = USER_INFO.matcher(url).replaceAll("$1:" + Secret.MASK + "@");
    return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + Secret.MASK);
  }
}
