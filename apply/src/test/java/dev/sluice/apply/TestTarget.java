package dev.sluice.apply;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Sorts;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sluice.testkit.PostgresCluster;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;

/** A target database for tests: its YAML entry, and its rows read back. */
abstract class TestTarget implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** The {@code targets:} entry's value, e.g. {@code { url: "...", user: root }}. */
  abstract String yaml();

  /**
   * Rows of a target table or collection, ordered by {@code id} (or {@code _id}), as column maps.
   */
  abstract List<Map<String, Object>> rows(String table);

  /** Whether a table has a row with this {@code id}. */
  boolean has(String table, int id) {
    try {
      return rows(table).stream()
          .anyMatch(r -> String.valueOf(r.get("id")).equals(String.valueOf(id)));
    } catch (RuntimeException e) {
      return false; // the table does not exist yet
    }
  }

  /** Rows of a table given by its exact (unquoted) name. */
  abstract List<Map<String, Object>> rowsOf(String name);

  /** Inserts a row directly into the target (an extra row the source does not have). */
  abstract void insert(String name, Map<String, Object> row);

  /** Removes the rule checkpoints so that rules re-apply from their start. */
  abstract void forgetCheckpoints();

  abstract String dialect();

  @Override
  public String toString() {
    return dialect();
  }

  static int next() {
    return COUNTER.incrementAndGet();
  }

  /** A JDBC target. */
  abstract static class Sql extends TestTarget {
    abstract Connection connect() throws SQLException;

    abstract String quote(String identifier);

    @Override
    List<Map<String, Object>> rowsOf(String name) {
      return rows(quote(name));
    }

    @Override
    void insert(String name, Map<String, Object> row) {
      StringBuilder sql = new StringBuilder("INSERT INTO " + quote(name) + " (");
      sql.append(String.join(", ", row.keySet().stream().map(this::quote).toList()))
          .append(") VALUES (");
      sql.append(
          String.join(
              ", ",
              row.values().stream()
                  .map(v -> v instanceof String t ? "'" + t + "'" : String.valueOf(v))
                  .toList()));
      execute(sql.append(")").toString());
    }

    void execute(String sql) {
      try (Connection c = connect();
          Statement s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    List<Map<String, Object>> rows(String table) {
      try (Connection c = connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
        ResultSetMetaData meta = rs.getMetaData();
        List<Map<String, Object>> rows = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnLabel(i), rs.getObject(i));
          }
          rows.add(row);
        }
        return rows;
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final class Postgres extends Sql {
    final PostgresCluster cluster;
    final String database;

    Postgres(PostgresCluster cluster) {
      this.cluster = cluster;
      this.database = "tt" + next();
      cluster.execute("CREATE DATABASE " + database);
    }

    @Override
    String yaml() {
      return "{ url: \"" + cluster.jdbcUrl(database) + "\", user: postgres }";
    }

    @Override
    Connection connect() throws SQLException {
      return cluster.connect(database);
    }

    @Override
    String quote(String identifier) {
      return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    void forgetCheckpoints() {
      execute("DELETE FROM sluice.sluice_checkpoints");
    }

    @Override
    String dialect() {
      return "postgresql";
    }

    @Override
    public void close() {
      cluster.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /** The MariaDB running on this machine (127.0.0.1:3306, root, no password). */
  static final class MariaDb extends Sql {
    final String database = "sluice_it_" + next();

    MariaDb() {
      try (Connection c =
              DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + database);
      } catch (SQLException e) {
        throw new IllegalStateException("MariaDB must run on 127.0.0.1:3306 (see .ci/run)", e);
      }
    }

    @Override
    String yaml() {
      return "{ url: \"jdbc:mariadb://127.0.0.1:3306/" + database + "\", user: root }";
    }

    @Override
    Connection connect() throws SQLException {
      return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + database, "root", "");
    }

    @Override
    String quote(String identifier) {
      return '`' + identifier.replace("`", "``") + '`';
    }

    @Override
    void forgetCheckpoints() {
      execute("DELETE FROM sluice_checkpoints");
    }

    @Override
    String dialect() {
      return "mariadb";
    }

    @Override
    public void close() {
      try (Connection c =
              DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final class Sqlite extends Sql {
    final Path file;

    Sqlite() throws Exception {
      this.file = Files.createTempDirectory("sluice-sqlite").resolve("target.db");
    }

    @Override
    String yaml() {
      return "{ url: \"jdbc:sqlite:" + file + "\" }";
    }

    @Override
    Connection connect() throws SQLException {
      return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    @Override
    String quote(String identifier) {
      return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    void forgetCheckpoints() {
      execute("DELETE FROM sluice_checkpoints");
    }

    @Override
    String dialect() {
      return "sqlite";
    }

    @Override
    public void close() throws Exception {
      try (var paths = Files.walk(file.getParent())) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * A MongoDB wire-protocol server in this JVM, or a real MongoDB when {@code
   * SLUICE_TEST_MONGO_URI} is set (a database of its own per target).
   */
  static final class Mongo extends TestTarget {
    final MongoServer server;
    final String uri;
    final String database = "sluice_it_" + next();
    final MongoClient client;

    Mongo() {
      String real = System.getenv("SLUICE_TEST_MONGO_URI");
      if (real != null && !real.isBlank()) {
        server = null;
        uri = real.endsWith("/") ? real : real + "/";
      } else {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        uri = "mongodb://" + address.getHostString() + ":" + address.getPort() + "/";
      }
      client = MongoClients.create(uri);
    }

    @Override
    String yaml() {
      return "{ url: \"" + uri + database + "\" }";
    }

    @Override
    List<Map<String, Object>> rows(String collection) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Document d :
          client
              .getDatabase(database)
              .getCollection(collection)
              .find()
              .sort(Sorts.ascending("_id"))) {
        rows.add(new LinkedHashMap<>(d));
      }
      return rows;
    }

    @Override
    List<Map<String, Object>> rowsOf(String name) {
      return rows(name);
    }

    @Override
    void insert(String name, Map<String, Object> row) {
      Document document = new Document(row);
      document.put("_id", row.get("id"));
      client.getDatabase(database).getCollection(name).insertOne(document);
    }

    @Override
    void forgetCheckpoints() {
      client.getDatabase(database).getCollection("sluice_checkpoints").deleteMany(new Document());
    }

    @Override
    String dialect() {
      return "mongodb";
    }

    @Override
    public void close() {
      client.getDatabase(database).drop();
      client.close();
      if (server != null) {
        server.shutdownNow();
      }
    }
  }
}
