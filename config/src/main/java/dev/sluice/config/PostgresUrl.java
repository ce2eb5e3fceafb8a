package dev.sluice.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a {@code jdbc:postgresql://host[:port]/database[?key=value&...]} URL.
 *
 * @param host the host name or address (IPv6 without brackets)
 * @param port the port, 5432 when the URL names none
 * @param database the database name
 * @param parameters the URL's query parameters, in order
 */
public record PostgresUrl(String host, int port, String database, Map<String, String> parameters) {
  private static final Pattern SYNTAX =
      Pattern.compile(
          "jdbc:postgresql://(\\[[^\\]]+\\]|[^:/?,]+)(?::(\\d+))?/([^?]+)(?:\\?(.*))?",
          Pattern.CASE_INSENSITIVE);

  public PostgresUrl {
    parameters = Map.copyOf(parameters);
  }

  /** The fields, with secret parameters ({@code password}, {@code sslpassword}, ...) masked. */
  @Override
  public String toString() {
    Map<String, String> shown = new java.util.TreeMap<>();
    parameters.forEach(
        (key, value) -> shown.put(key, Masking.isSecretParameter(key) ? Secret.MASK : value));
    return "PostgresUrl[host="
        + host
        + ", port="
        + port
        + ", database="
        + database
        + ", parameters="
        + shown
        + "]";
  }

  /**
   * Parses a single-host PostgreSQL JDBC URL.
   *
   * @throws IllegalArgumentException naming the expected form
   */
  public static PostgresUrl parse(String url) {
    Matcher m = SYNTAX.matcher(url.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + Masking.maskUrl(url)
              + "' is not a PostgreSQL URL like jdbc:postgresql://host:5432/database");
    }
    String host = m.group(1);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
    Map<String, String> parameters = new LinkedHashMap<>();
    if (m.group(4) != null && !m.group(4).isEmpty()) {
      for (String pair : m.group(4).split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        parameters.put(decode(key), decode(value));
      }
    }
    return new PostgresUrl(host, port, decode(m.group(3)), parameters);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
