package dev.sluice.config.internal;

import dev.sluice.config.Dialect;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which database a URL names, as far as the URL alone tells: the kind, server and database (for
 * SQLite the file), so that two URLs written differently for the same database compare equal.
 * Loopback names ({@code localhost}, {@code 127.0.0.1}, {@code ::1}) count as one host; other names
 * are compared as written (nothing is resolved while a file is validated).
 *
 * @param dialect the kind of database ({@code jdbc:mysql:} and {@code jdbc:mariadb:} are one)
 * @param host the host, lowercase, {@code localhost} for every loopback name; null for SQLite
 * @param port the port (the kind's default when the URL names none); 0 for SQLite
 * @param database the database name, or SQLite's absolute file
 */
public record DatabaseAddress(Dialect dialect, String host, int port, String database) {
  private static final Pattern NETWORK_URL =
      Pattern.compile(
          "^[a-z0-9:+]*//(?:[^@/]*@)?(\\[[^\\]]+\\]|[^:/?,]+)(?::(\\d+))?[^/]*/?([^?]*)",
          Pattern.CASE_INSENSITIVE);
  private static final Set<String> LOOPBACK =
      Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1");

  /** The address of a URL, or empty when the URL is not one Sluice reads (reported elsewhere). */
  public static Optional<DatabaseAddress> of(String url) {
    if (url == null) {
      return Optional.empty();
    }
    Dialect dialect = Dialect.ofUrl(url).orElse(null);
    if (dialect == null || dialect.isStream()) {
      return Optional.empty(); // a stream is no database: rules share it by design
    }
    if (dialect == Dialect.SQLITE) {
      String file = url.substring("jdbc:sqlite:".length());
      int query = file.indexOf('?');
      file = query < 0 ? file : file.substring(0, query);
      if (file.isEmpty() || file.startsWith(":")) {
        return Optional.empty(); // in memory: never shared
      }
      if (file.startsWith("file:")) {
        file = file.substring("file:".length());
      }
      return Optional.of(
          new DatabaseAddress(dialect, null, 0, Path.of(file).toAbsolutePath().normalize() + ""));
    }
    Matcher m = NETWORK_URL.matcher(url.trim());
    if (!m.find()) {
      return Optional.empty();
    }
    String host = m.group(1).toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    if (LOOPBACK.contains(host)) {
      host = "localhost";
    }
    int port = m.group(2) != null ? Integer.parseInt(m.group(2)) : defaultPort(dialect);
    String database = URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
    return Optional.of(new DatabaseAddress(dialect, host, port, database));
  }

  private static int defaultPort(Dialect dialect) {
    return switch (dialect) {
      case POSTGRESQL -> 5432;
      case MYSQL -> 3306;
      case MONGODB -> 27017;
      case SQLITE, NATS, KAFKA -> 0;
    };
  }

  /** {@code 127.0.0.1:5432/app} or the SQLite file, for messages. */
  @Override
  public String toString() {
    return host == null ? database : host + ":" + port + "/" + database;
  }
}
