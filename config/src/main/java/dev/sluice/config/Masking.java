package dev.sluice.config;

import java.util.regex.Pattern;

/** Hides credentials inside connection strings before they are printed, logged or served. */
public final class Masking {
  private static final String SECRET_NAMES = "password|pwd|pass|sslpassword|token|secret";
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("((?:" + SECRET_NAMES + ")=)[^&;]*", Pattern.CASE_INSENSITIVE);
  private static final Pattern SECRET_NAME =
      Pattern.compile(SECRET_NAMES, Pattern.CASE_INSENSITIVE);

  private Masking() {}

  /**
   * Replaces a password in {@code user:password@} and in {@code password=} style parameters with
   * {@value Secret#MASK}. The user information ends at the last {@code @} before the query, so a
   * password with an unencoded {@code @}, {@code /} or {@code :} is masked whole (when in doubt,
   * more is masked rather than less).
   */
  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    return PASSWORD_PARAMETER.matcher(maskUserInfo(url)).replaceAll("$1" + Secret.MASK);
  }

  /** Whether a URL parameter of this name holds a secret ({@code password}, {@code token}, ...). */
  public static boolean isSecretParameter(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  private static String maskUserInfo(String url) {
    int authority = url.indexOf("//");
    if (authority < 0) {
      return url;
    }
    int query = url.indexOf('?', authority);
    int end = query < 0 ? url.length() : query;
    int at = url.lastIndexOf('@', end - 1);
    int colon = url.indexOf(':', authority + 2);
    if (at < authority || colon < 0 || colon > at) {
      return url;
    }
    return url.substring(0, colon + 1) + Secret.MASK + url.substring(at);
  }
}
