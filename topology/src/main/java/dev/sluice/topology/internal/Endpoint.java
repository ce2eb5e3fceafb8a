package dev.sluice.topology.internal;

import dev.sluice.config.Dialect;
import dev.sluice.config.LagTolerance;
import dev.sluice.config.Masking;
import dev.sluice.config.NodeConfig;
import dev.sluice.config.NodeRole;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.Secret;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.SqlFailure;
import dev.sluice.config.TargetConfig;
import dev.sluice.topology.NodeUnreachableException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach one node: its URL and credentials (from the node, or for a CDC-fed slave without a
 * URL from its rule's target) and the host, port and database shown to people.
 *
 * @param group the group's name
 * @param node the node's configuration
 * @param url the JDBC or MongoDB URL
 * @param user the user, or null
 * @param password the password, or null
 * @param dialect the kind of database
 * @param host the host, or null
 * @param port the port, or 0
 * @param database the database (SQLite: the file)
 */
public record Endpoint(
    String group,
    NodeConfig node,
    String url,
    String user,
    Secret password,
    Dialect dialect,
    String host,
    int port,
    String database) {
  private static final Pattern NETWORK_URL =
      Pattern.compile(
          "^[a-z0-9:+]*//(?:[^@/]*@)?(\\[[^\\]]+\\]|[^:/?,]+)(?::(\\d+))?[^/]*/?([^?]*)");

  public String name() {
    return node.name();
  }

  public NodeRole configuredRole() {
    return node.role();
  }

  public LagTolerance lagTolerance() {
    return node.lagTolerance();
  }

  public boolean isCdcFed() {
    return node.isCdcFed();
  }

  /** Whether it can hand out JDBC connections (every dialect but MongoDB). */
  public boolean isJdbc() {
    return dialect.isSql();
  }

  public boolean isPostgres() {
    return dialect == Dialect.POSTGRESQL;
  }

  /** {@code standby-1 (127.0.0.1:5433)} for messages. */
  public String describe() {
    return host == null ? name() + " (" + database + ")" : name() + " (" + host + ":" + port + ")";
  }

  /** Whether both name the same database on the same server. */
  public boolean sameDatabaseAs(String otherHost, int otherPort, String otherDatabase) {
    return Objects.equals(host, otherHost)
        && port == otherPort
        && Objects.equals(database, otherDatabase);
  }

  /** The endpoint of a configured node. */
  public static Endpoint of(SluiceConfig config, String group, NodeConfig node) {
    String url = node.url();
    String user = node.user();
    Secret password = node.password();
    if (url == null && node.fedBy() != null) {
      RuleConfig rule = config.rule(node.fedBy()).orElseThrow();
      TargetConfig target = config.targetOf(rule);
      url = target.url();
      user = user == null ? target.user() : user;
      password = password == null ? target.password() : password;
    }
    Dialect dialect = Dialect.ofUrl(url).orElseThrow();
    if (user == null && dialect == Dialect.POSTGRESQL) {
      user = "postgres";
    }
    String host = null;
    int port = 0;
    String database;
    if (dialect == Dialect.SQLITE) {
      database = sqliteFile(url);
    } else {
      Matcher m = NETWORK_URL.matcher(url);
      if (!m.find()) {
        throw new IllegalArgumentException(
            "cannot read host and port from " + Masking.maskUrl(url));
      }
      host =
          m.group(1).startsWith("[")
              ? m.group(1).substring(1, m.group(1).length() - 1)
              : m.group(1);
      port = m.group(2) != null ? Integer.parseInt(m.group(2)) : defaultPort(dialect);
      database = m.group(3);
    }
    return new Endpoint(group, node, url, user, password, dialect, host, port, database);
  }

  /**
   * The file of a SQLite URL, without its parameters: they may hold a key ({@code ?key=...} of an
   * encrypted database), and the file is shown in the API and the state file.
   */
  private static String sqliteFile(String url) {
    String file = url.substring("jdbc:sqlite:".length());
    int query = file.indexOf('?');
    return query < 0 ? file : file.substring(0, query);
  }

  private static int defaultPort(Dialect dialect) {
    return switch (dialect) {
      case POSTGRESQL -> 5432;
      case MYSQL -> 3306;
      case MONGODB -> 27017;
      case NATS -> 4222;
      case KAFKA -> 9092;
      case SQLITE -> 0;
    };
  }

  /**
   * A new JDBC connection with short timeouts, for probes and promotion steps.
   *
   * @throws SQLException as the driver reports it
   */
  public Connection connect(Duration timeout) throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password.reveal());
    }
    if (isPostgres()) {
      long seconds = Math.max(1, timeout.toSeconds());
      properties.setProperty("ApplicationName", "sluice-topology");
      properties.setProperty("connectTimeout", Long.toString(seconds));
      properties.setProperty("loginTimeout", Long.toString(seconds));
      properties.setProperty("socketTimeout", Long.toString(Math.max(10, seconds * 3)));
    }
    return DriverManager.getConnection(url, properties);
  }

  /**
   * A connection for an operation that cannot go on without this node.
   *
   * @throws NodeUnreachableException naming the node, its address and the driver's reason
   */
  public Connection connectOrFail(Duration timeout, String purpose) {
    try {
      return connect(timeout);
    } catch (SQLException e) {
      throw unreachable(e, purpose);
    }
  }

  /** The exception for a failure to reach this node. */
  public NodeUnreachableException unreachable(SQLException e, String purpose) {
    String kind = SqlFailure.of(e) == SqlFailure.UNREACHABLE ? "cannot reach" : "cannot use";
    return new NodeUnreachableException(
        kind
            + " node "
            + describe()
            + " of group "
            + group
            + " ("
            + purpose
            + "): "
            + firstLine(e.getMessage()),
        e);
  }

  static String firstLine(String message) {
    String text = String.valueOf(message);
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  @Override
  public String toString() {
    return describe();
  }
}
