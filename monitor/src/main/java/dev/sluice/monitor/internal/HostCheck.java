package dev.sluice.monitor.internal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code Host} check that keeps a web page from reading the API through DNS rebinding: a page
 * at {@code http://attacker.example:14499/} whose name is made to resolve to 127.0.0.1 sends {@code
 * Host: attacker.example:14499}, which is refused. Accepted: an IP address (a page can only be
 * served from an address by the sidecar itself), {@code localhost}, and the configured {@code
 * monitor.host}, with any port; and a request without {@code Host} (HTTP/1.0, never a browser).
 *
 * <p>With a token the check is off: a rebinding page does not know the token, and a monitor bound
 * to all interfaces behind a token is reached by names nobody can list here (a Service, an
 * ingress).
 */
final class HostCheck {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern PORT = Pattern.compile(":\\d{1,5}$");

  private final String configuredHost;
  private final boolean enabled;

  /**
   * @param configuredHost {@code monitor.host}
   * @param enabled false when a token is required
   */
  HostCheck(String configuredHost, boolean enabled) {
    this.configuredHost = configuredHost.toLowerCase(Locale.ROOT);
    this.enabled = enabled;
  }

  /** Whether a request with this {@code Host} header (null: none) may be served. */
  boolean accepts(String host) {
    if (!enabled || host == null) {
      return true;
    }
    String name = host.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("[")) {
      int end = name.indexOf(']');
      return end > 0
          && (end == name.length() - 1 || PORT.matcher(name.substring(end + 1)).matches());
    }
    name = PORT.matcher(name).replaceFirst("");
    return IPV4.matcher(name).matches() || name.equals("localhost") || name.equals(configuredHost);
  }
}
