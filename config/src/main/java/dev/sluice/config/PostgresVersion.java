package dev.sluice.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server's version as the server reports it when a connection starts ({@code
 * server_version}), and the one judgement of it every module shares: whether Sluice supports it,
 * and from which major a catalog column, function or feature may be used.
 *
 * <p>Supported: PostgreSQL {@value #OLDEST_SUPPORTED_MAJOR} and newer; {@value
 * #OLDEST_SUPPORTED_MAJOR} to {@value #NEWEST_TESTED_MAJOR} are tested. A newer major is accepted
 * with a {@linkplain #note() note}.
 *
 * @param number the version in {@code server_version_num} form: {@code 150014} for 15.14, {@code
 *     90624} for 9.6.24, {@code 160000} for 16beta1
 * @param text the server's own words, e.g. {@code 15.20 (Debian 15.20-0+deb12u1)}
 */
public record PostgresVersion(int number, String text) {
  /** The oldest major Sluice runs against (as source, target or replica-group node). */
  public static final int OLDEST_SUPPORTED_MAJOR = 13;

  /** The newest major the tests run against. */
  public static final int NEWEST_TESTED_MAJOR = 18;

  /** The first major with failover slots ({@code failover}, {@code synced}, slot sync). */
  public static final int FAILOVER_SLOTS = 17;

  private static final Pattern VERSION = Pattern.compile("^(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

  /**
   * The version in a {@code server_version} string ({@code 15.20 (Debian 15.20-0+deb12u1)}, {@code
   * 18.1}, {@code 9.6.24}, {@code 17devel}, {@code 16beta1}).
   *
   * @throws IllegalArgumentException when the string starts with no version number
   */
  public static PostgresVersion parse(String serverVersion) {
    Matcher m = VERSION.matcher(serverVersion == null ? "" : serverVersion.trim());
    if (!m.find()) {
      throw new IllegalArgumentException(
          "cannot tell the PostgreSQL version from server_version '" + serverVersion + "'");
    }
    int major = Integer.parseInt(m.group(1));
    int second = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    int third = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    int number = major >= 10 ? major * 10000 + second : major * 10000 + second * 100 + third;
    return new PostgresVersion(number, serverVersion.trim());
  }

  /**
   * The version of the server behind a PostgreSQL JDBC connection, as the server reported it at the
   * connection's start (no query is sent).
   */
  public static PostgresVersion of(Connection connection) throws SQLException {
    return parse(connection.getMetaData().getDatabaseProductVersion());
  }

  /** The major version: 15 for 15.14, 9 for 9.6.24. */
  public int major() {
    return number / 10000;
  }

  /** Whether the server is this major or newer. */
  public boolean atLeast(int major) {
    return major() >= major;
  }

  /** Whether Sluice supports this server (PostgreSQL 13 or newer). */
  public boolean isSupported() {
    return atLeast(OLDEST_SUPPORTED_MAJOR);
  }

  /** Whether logical slots can be failover slots, synchronised to standbys (17+). */
  public boolean hasFailoverSlots() {
    return atLeast(FAILOVER_SLOTS);
  }

  /**
   * {@code major.minor} ({@code 9.6.24} before 10): the version without the server's extra words.
   */
  public String shortText() {
    int major = major();
    if (major >= 10) {
      return major + "." + number % 10000;
    }
    return major + "." + number % 10000 / 100 + "." + number % 100;
  }

  /**
   * Why Sluice refuses this server, in words that name it; empty when it is supported.
   *
   * @param what the server, e.g. {@code the source} or {@code target mirror}
   */
  public Optional<String> refusal(String what) {
    if (isSupported()) {
      return Optional.empty();
    }
    return Optional.of(
        what
            + " runs PostgreSQL "
            + shortText()
            + ", which Sluice does not support: it needs PostgreSQL "
            + OLDEST_SUPPORTED_MAJOR
            + " or newer ("
            + OLDEST_SUPPORTED_MAJOR
            + " to "
            + NEWEST_TESTED_MAJOR
            + " are tested)");
  }

  /** A note on a major newer than the tests cover; empty for a tested one. */
  public Optional<String> note() {
    if (major() <= NEWEST_TESTED_MAJOR) {
      return Optional.empty();
    }
    return Optional.of(
        "PostgreSQL "
            + major()
            + " is newer than the newest major Sluice is tested with ("
            + NEWEST_TESTED_MAJOR
            + ")");
  }

  /** {@code PostgreSQL 15.20 (Debian 15.20-0+deb12u1)}. */
  @Override
  public String toString() {
    return "PostgreSQL " + text;
  }
}
