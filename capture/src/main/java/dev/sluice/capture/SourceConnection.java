package dev.sluice.capture;

import dev.sluice.config.Durations;
import dev.sluice.config.PostgresUrl;
import dev.sluice.config.SetupException;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.SqlFailure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections to the source, turning failures into messages that say what to fix. */
public final class SourceConnection {
  private SourceConnection() {}

  /**
   * A new connection to the source.
   *
   * @throws SetupException when the user name, password or database is wrong (exit code 2)
   * @throws CaptureException when the source cannot be reached (exit code 1)
   */
  public static Connection open(SourceConfig source) {
    PostgresUrl url = source.parsedUrl();
    Properties properties = new Properties();
    properties.setProperty("user", source.user());
    if (source.password() != null) {
      properties.setProperty("password", source.password().reveal());
    }
    properties.setProperty("ApplicationName", "sluice");
    String seconds = Integer.toString(Durations.ceilSeconds(source.connectTimeout()));
    properties.setProperty("connectTimeout", seconds);
    properties.setProperty("loginTimeout", seconds);
    try {
      return DriverManager.getConnection(source.url(), properties);
    } catch (SQLException e) {
      throw describe(e, source, url);
    }
  }

  /** The exception to throw for a failure to connect to the source. */
  public static RuntimeException describe(SQLException e, SourceConfig source, PostgresUrl url) {
    String where = url.host() + ":" + url.port();
    return switch (SqlFailure.of(e)) {
      case AUTHENTICATION ->
          new SetupException(
              "cannot log in to the source at "
                  + where
                  + " as '"
                  + source.user()
                  + "': "
                  + firstLine(e)
                  + " (check source.user and source.password)");
      case MISSING_DATABASE ->
          new SetupException(
              "the source database '"
                  + url.database()
                  + "' does not exist on "
                  + where
                  + " (check source.url)");
      case UNREACHABLE ->
          new CaptureException(
              "cannot reach the source at "
                  + where
                  + ": "
                  + firstLine(e)
                  + " (is PostgreSQL running there?)",
              e);
      default ->
          new CaptureException("cannot connect to the source at " + where + ": " + firstLine(e), e);
    };
  }

  static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
