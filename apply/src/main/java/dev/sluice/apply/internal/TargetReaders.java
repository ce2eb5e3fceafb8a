package dev.sluice.apply.internal;

import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

/** Opens a target table's rows in key order, in canonical forms, for comparisons. */
public final class TargetReaders {
  private TargetReaders() {}

  /** A target's rows and the connection to close with them. */
  public record Rows(KeyedRows rows, AutoCloseable connection) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      try {
        rows.close();
      } finally {
        connection.close();
      }
    }
  }

  public static Rows open(TargetConfig target, TableMapping mapping) throws Exception {
    if (target.dialect() == Dialect.MONGODB) {
      return new Rows(RowReaders.mongo(target, mapping), () -> {});
    }
    Properties properties = new Properties();
    if (target.user() != null) {
      properties.setProperty("user", target.user());
    }
    if (target.password() != null) {
      properties.setProperty("password", target.password().reveal());
    }
    String url =
        target.url().startsWith("jdbc:mysql:")
            ? "jdbc:mariadb:" + target.url().substring("jdbc:mysql:".length())
            : target.url();
    Connection connection = DriverManager.getConnection(url, properties);
    try {
      SqlDialect dialect = SqlDialect.of(target.dialect());
      KeyedRows rows =
          target.dialect() == Dialect.POSTGRESQL
              ? RowReaders.postgres(
                  connection, dialect.qualified(mapping.target()), mapping, Dialect.POSTGRESQL)
              : RowReaders.sql(connection, dialect, mapping);
      return new Rows(rows, connection);
    } catch (java.sql.SQLException e) {
      connection.close();
      throw e;
    }
  }
}
