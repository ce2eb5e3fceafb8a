package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL cluster on this machine, for tests and the demo: its own data directory, port
 * and server process, started with {@code wal_level=logical}, of any {@linkplain
 * PostgresBinaries#MAJORS supported major version} ({@linkplain PostgresBinaries#DEFAULT_MAJOR 17}
 * unless asked). It can be stopped fast, crashed (immediate stop), started again on the same data,
 * and cloned into a streaming standby of the same major.
 *
 * <p>Authentication is {@code trust}, except for members of the role {@code password_users}, who
 * must give their password (scram-sha-256). Durability: {@code synchronous_commit=on} so a
 * committed transaction survives a crash of the server process; {@code fsync=off} because no test
 * survives a power loss anyway.
 *
 * <p>Thread-safe for queries; start and stop from one thread.
 */
public final class PostgresCluster implements AutoCloseable {
  private final String name;
  private final int major;
  private final Path dir;
  private final Path dataDir;
  private final Path logFile;
  private final int port;
  private volatile boolean running;
  private final Thread shutdownHook;

  private PostgresCluster(String name, int major, Path dir, int port) {
    this.name = name;
    this.major = major;
    this.dir = dir;
    this.dataDir = dir.resolve("data");
    this.logFile = dir.resolve("postgres.log");
    this.port = port;
    this.shutdownHook = new Thread(this::crashQuietly, "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a new cluster of the default major named {@code name} with the default settings. */
  public static PostgresCluster start(String name) {
    return start(name, Map.of());
  }

  /**
   * Starts a new cluster of the default major; {@code settings} are added to (or override) the
   * defaults in {@code postgresql.conf}.
   */
  public static PostgresCluster start(String name, Map<String, String> settings) {
    return start(name, PostgresBinaries.DEFAULT_MAJOR, settings);
  }

  /**
   * Starts a new cluster of a major version (one of {@link PostgresBinaries#MAJORS}); {@code
   * settings} are added to (or override) the defaults in {@code postgresql.conf}.
   */
  public static PostgresCluster start(String name, int major, Map<String, String> settings) {
    PostgresBinaries.home(major); // an unknown major fails here, before any directory is made
    Path dir = newClusterDir(name);
    PostgresCluster cluster = new PostgresCluster(name, major, dir, freePort());
    cluster.initdb(settings);
    cluster.startServer();
    cluster.execute("CREATE ROLE password_users NOLOGIN");
    return cluster;
  }

  private static Path newClusterDir(String name) {
    try {
      Path root = Path.of(System.getProperty("java.io.tmpdir"), "sluice-pg", "clusters");
      Files.createDirectories(root);
      return Files.createTempDirectory(root, name.replaceAll("[^A-Za-z0-9_-]", "_") + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void initdb(Map<String, String> settings) {
    run(
        List.of(
            PostgresBinaries.bin(major, "initdb").toString(),
            "-D",
            dataDir.toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync"),
        "initdb");
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("listen_addresses", "'127.0.0.1'");
    conf.put("port", Integer.toString(port));
    conf.put("unix_socket_directories", "'" + dir + "'");
    conf.put("wal_level", "logical");
    conf.put("max_wal_senders", "20");
    conf.put("max_replication_slots", "20");
    conf.put("wal_keep_size", "'256MB'");
    conf.put("hot_standby", "on");
    conf.put("hot_standby_feedback", "on");
    conf.put("wal_log_hints", "on");
    conf.put("fsync", "off");
    conf.put("synchronous_commit", "on");
    conf.put("full_page_writes", "on");
    conf.put("shared_buffers", "'64MB'");
    conf.put("max_connections", "100");
    conf.put("timezone", "'UTC'");
    conf.put("log_min_messages", "warning");
    conf.put("log_timezone", "'UTC'");
    conf.putAll(settings);
    StringBuilder text = new StringBuilder("\n# sluice test cluster\n");
    conf.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
    String hba =
        """
        local   all          +password_users                 scram-sha-256
        host    all          +password_users  127.0.0.1/32   scram-sha-256
        host    replication  +password_users  127.0.0.1/32   scram-sha-256
        local   all          all                             trust
        host    all          all              127.0.0.1/32   trust
        host    all          all              ::1/128        trust
        local   replication  all                             trust
        host    replication  all              127.0.0.1/32   trust
        """;
    try {
      Files.writeString(dataDir.resolve("postgresql.conf"), text, StandardOpenOption.APPEND);
      Files.writeString(dataDir.resolve("pg_hba.conf"), hba);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  /** The PostgreSQL major version this cluster runs, e.g. {@code 15}. */
  public int major() {
    return major;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean isRunning() {
    return running;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A connection as the superuser {@code postgres} to the {@code postgres} database. */
  public Connection connect() throws SQLException {
    return connect("postgres");
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
  }

  /** Runs statements in the {@code postgres} database, each in its own transaction. */
  public void execute(String... statements) {
    executeIn("postgres", statements);
  }

  public void executeIn(String database, String... statements) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on " + name + ": " + e.getMessage(), e);
    }
  }

  /** The first column of the first row, or null. */
  public Object queryValue(String sql) {
    List<List<Object>> rows = query(sql);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }

  public long queryLong(String sql) {
    Object value = queryValue(sql);
    if (value == null) {
      throw new IllegalStateException("no value from: " + sql);
    }
    return ((Number) value).longValue();
  }

  /** Every row as a list of column values. */
  public List<List<Object>> query(String sql) {
    return queryIn("postgres", sql);
  }

  public List<List<Object>> queryIn(String database, String sql) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed on " + name + ": " + e.getMessage(), e);
    }
  }

  /** Starts the server on its existing data (after {@link #stop()} or {@link #crash()}). */
  public synchronized void startServer() {
    if (running) {
      return;
    }
    run(
        List.of(
            PostgresBinaries.bin(major, "pg_ctl").toString(),
            "-D",
            dataDir.toString(),
            "-l",
            logFile.toString(),
            "-w",
            "-t",
            "120",
            "start"),
        "pg_ctl start");
    running = true;
  }

  /** A clean, fast shutdown (open sessions are ended; everything committed is kept). */
  public synchronized void stop() {
    pgCtlStop("fast");
  }

  /** An immediate shutdown, as if the server process crashed; recovery runs at the next start. */
  public synchronized void crash() {
    pgCtlStop("immediate");
  }

  public synchronized void restart() {
    stop();
    startServer();
  }

  private void pgCtlStop(String mode) {
    if (!running) {
      return;
    }
    run(
        List.of(
            PostgresBinaries.bin(major, "pg_ctl").toString(),
            "-D",
            dataDir.toString(),
            "-m",
            mode,
            "-w",
            "-t",
            "120",
            "stop"),
        "pg_ctl stop -m " + mode);
    running = false;
  }

  /**
   * Makes a streaming standby of this cluster: stops this cluster cleanly, copies its data
   * directory, and starts both. The standby replays from this cluster over a physical replication
   * connection as application {@code standbyName}.
   */
  public synchronized PostgresCluster cloneStandby(String standbyName) {
    return cloneStandby(standbyName, Map.of());
  }

  /** As {@link #cloneStandby(String)}, with extra settings for the standby. */
  public synchronized PostgresCluster cloneStandby(
      String standbyName, Map<String, String> settings) {
    stop();
    PostgresCluster standby =
        new PostgresCluster(standbyName, major, newClusterDir(standbyName), freePort());
    try {
      copyTree(dataDir, standby.dataDir);
      Files.deleteIfExists(standby.dataDir.resolve("postmaster.pid"));
      Files.deleteIfExists(standby.dataDir.resolve("postmaster.opts"));
      Files.createFile(standby.dataDir.resolve("standby.signal"));
      StringBuilder conf = new StringBuilder("\n# standby of " + name + "\n");
      conf.append("port = ").append(standby.port).append('\n');
      conf.append("unix_socket_directories = '").append(standby.dir).append("'\n");
      conf.append("primary_conninfo = 'host=127.0.0.1 port=")
          .append(port)
          .append(" user=postgres application_name=")
          .append(standbyName)
          .append("'\n");
      settings.forEach((key, value) -> conf.append(key).append(" = ").append(value).append('\n'));
      Files.writeString(
          standby.dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    startServer();
    standby.startServer();
    return standby;
  }

  /** Appends settings to {@code postgresql.conf}; they apply at the next start. */
  public void configure(Map<String, String> settings) {
    StringBuilder conf = new StringBuilder("\n");
    settings.forEach((key, value) -> conf.append(key).append(" = ").append(value).append('\n'));
    try {
      Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
        } else {
          Files.copy(
              source,
              target,
              java.nio.file.LinkOption.NOFOLLOW_LINKS,
              java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private void run(List<String> command, String what) {
    try {
      Process process =
          new ProcessBuilder(PostgresBinaries.asServerUser(command))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("commands.log").toFile())
              .start();
      if (!process.waitFor(180, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(what + " of " + name + " did not finish in 180 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            what
                + " of "
                + name
                + " failed (exit "
                + process.exitValue()
                + "):\n"
                + tail(dir.resolve("commands.log"))
                + tail(logFile));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + what, e);
    }
  }

  private static String tail(Path file) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())) + "\n";
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void crashQuietly() {
    try {
      crash();
    } catch (RuntimeException e) {
      // best effort at JVM exit
    }
  }

  /** Stops the server (immediately) and removes its directory. */
  @Override
  public synchronized void close() {
    try {
      crash();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is exiting
      }
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + root, e);
    }
  }

  @Override
  public String toString() {
    return name + " (PostgreSQL " + major + ", " + jdbcUrl() + ")";
  }
}
