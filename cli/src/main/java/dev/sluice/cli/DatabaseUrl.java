package dev.sluice.cli;

import dev.sluice.config.Dialect;
import dev.sluice.config.SetupException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A database URL as a user types it on the command line, split into where the database is and the
 * credentials in it, so that {@code sluice init} can write the address into a file and leave the
 * password out. Takes JDBC URLs ({@code jdbc:postgresql:}, {@code jdbc:mysql:}, {@code
 * jdbc:mariadb:}, {@code jdbc:sqlite:}), MongoDB connection strings, and PostgreSQL's own {@code
 * postgres://user:password@host/db} form (turned into JDBC). Credentials may be in the authority
 * ({@code user:password@}) or, for JDBC, in {@code user=} and {@code password=} parameters.
 *
 * @param dialect the kind of database
 * @param kind a short name of the kind: {@code postgres}, {@code mysql}, {@code mariadb}, {@code
 *     sqlite}, {@code mongodb}
 * @param scheme everything before the authority ({@code jdbc:mysql://}); the whole URL for SQLite
 * @param host the first host, without port; for SQLite the file's name without extension
 * @param rest the authority's hosts and ports and everything after them, without credentials
 * @param database the database named in the path, or empty
 * @param user the user name from the URL, or null
 * @param password the password from the URL (decoded), or null
 */
record DatabaseUrl(
    Dialect dialect,
    String kind,
    String scheme,
    String host,
    String rest,
    String database,
    String user,
    String password) {

  /**
   * Parses a URL.
   *
   * @throws SetupException naming the accepted forms when it is none of them
   */
  static DatabaseUrl parse(String text) {
    String url = text.trim();
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
      url = "jdbc:postgresql://" + url.substring(url.indexOf("//") + 2);
      lower = url.toLowerCase(Locale.ROOT);
    }
    Dialect dialect =
        Dialect.ofUrl(url)
            .orElseThrow(
                () ->
                    new SetupException(
                        "'"
                            + dev.sluice.config.Masking.maskUrl(text)
                            + "' is not a database URL Sluice knows; expected jdbc:postgresql://,"
                            + " postgres://, jdbc:mysql://, jdbc:mariadb://, jdbc:sqlite:FILE or"
                            + " mongodb://"));
    if (dialect == Dialect.SQLITE) {
      String file = url.substring("jdbc:sqlite:".length());
      String stem = file.replaceAll(".*[/\\\\]", "").replaceAll("\\.[^.]*$", "");
      return new DatabaseUrl(dialect, "sqlite", url, stem.replace(":", ""), "", stem, null, null);
    }
    int slashes = url.indexOf("//");
    if (slashes < 0) {
      throw new SetupException(
          "'" + dev.sluice.config.Masking.maskUrl(text) + "' has no //host part");
    }
    String scheme = url.substring(0, slashes + 2);
    String kind =
        lower.startsWith("jdbc:postgresql:")
            ? "postgres"
            : lower.startsWith("jdbc:mariadb:")
                ? "mariadb"
                : lower.startsWith("jdbc:mysql:") ? "mysql" : "mongodb";
    String afterScheme = url.substring(slashes + 2);
    int authorityEnd = indexOfAny(afterScheme, '/', '?');
    String authority = authorityEnd < 0 ? afterScheme : afterScheme.substring(0, authorityEnd);
    String tail = authorityEnd < 0 ? "" : afterScheme.substring(authorityEnd);
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    String path = tail;
    String query = "";
    int question = tail.indexOf('?');
    if (question >= 0) {
      path = tail.substring(0, question);
      query = tail.substring(question + 1);
    }
    if (dialect != Dialect.MONGODB && !query.isEmpty()) {
      List<String> kept = new ArrayList<>();
      for (String pair : query.split("&")) {
        String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
        String value = pair.contains("=") ? decode(pair.substring(pair.indexOf('=') + 1)) : "";
        if (key.equalsIgnoreCase("user")) {
          user = value;
        } else if (key.equalsIgnoreCase("password")) {
          password = value;
        } else if (!pair.isEmpty()) {
          kept.add(pair);
        }
      }
      query = String.join("&", kept);
    }
    String database = path.startsWith("/") ? decode(path.substring(1)) : "";
    String firstHost = authority.split(",")[0];
    String host =
        firstHost.startsWith("[")
            ? firstHost.substring(1, Math.max(1, firstHost.indexOf(']')))
            : firstHost.replaceAll(":\\d+$", "");
    String rest = authority + path + (query.isEmpty() ? "" : "?" + query);
    return new DatabaseUrl(dialect, kind, scheme, host, rest, database, user, password);
  }

  /** The URL without credentials, and the user: never the password. */
  @Override
  public String toString() {
    return withoutCredentials() + (user == null ? "" : " (user " + user + ")");
  }

  /** The URL without any credentials. */
  String withoutCredentials() {
    return dialect == Dialect.SQLITE ? scheme : scheme + rest;
  }

  /**
   * The URL with the user kept and the password replaced by an environment reference ({@code
   * mongodb://app:${VAR}@host/db}): MongoDB takes its credentials in the URL.
   */
  String withPasswordReference(String variable) {
    if (user == null) {
      return withoutCredentials();
    }
    return scheme + encode(user) + (password == null ? "" : ":${" + variable + "}") + "@" + rest;
  }

  /** Whether the host is this machine (then the database names a target better). */
  boolean isLocal() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  private static int indexOfAny(String text, char a, char b) {
    int i = text.indexOf(a);
    int j = text.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
