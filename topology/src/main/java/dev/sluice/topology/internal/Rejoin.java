package dev.sluice.topology.internal;

import dev.sluice.config.SetupException;
import dev.sluice.topology.RejoinMethod;
import dev.sluice.topology.RejoinOptions;
import dev.sluice.topology.RejoinResult;
import dev.sluice.topology.ServerControl;
import dev.sluice.topology.TopologyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a former master a streaming standby of the new master:
 *
 * <ol>
 *   <li>when it already streams from the new master, there is nothing to do;
 *   <li>stops it when it runs;
 *   <li>creates a physical slot {@code sluice_<node>} on the new master, so the WAL it needs is
 *       kept (and slot synchronisation can use it);
 *   <li>rewinds its data directory with {@code pg_rewind} when one of its major version is found
 *       ({@code binDir}, then {@code PATH}); otherwise, or when {@code pg_rewind} fails, copies the
 *       new master's data directory over SQL ({@link SqlClone}) — slower, but it needs no client
 *       tools. Either way its own configuration files are kept;
 *   <li>writes {@code standby.signal}, {@code primary_conninfo} and {@code primary_slot_name};
 *   <li>starts it (when asked and it can).
 * </ol>
 *
 * Which path was taken, and why, is logged and returned.
 */
public final class Rejoin {
  private static final Logger LOG = LoggerFactory.getLogger(Rejoin.class);
  private static final List<String> CONFIG_FILES =
      List.of("postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf");

  /** The longest a {@code pg_rewind} may run, in seconds. */
  private static final long REWIND_TIMEOUT_SECONDS = 3600;

  private final Endpoint node;
  private final Endpoint master;
  private final RejoinOptions options;
  private final Duration timeout;

  public Rejoin(Endpoint node, Endpoint master, RejoinOptions options, Duration timeout) {
    this.node = node;
    this.master = master;
    this.options = options;
    this.timeout = timeout;
  }

  public RejoinResult run() {
    long started = System.nanoTime();
    Path dataDir = checkDataDir();
    int major = major(dataDir);
    try (Connection primary = master.connectOrFail(timeout, "the master to rejoin")) {
      checkPrimary(primary, major);
      Optional<String> already = alreadyStandby();
      if (already.isPresent()) {
        return result(RejoinMethod.ALREADY_STANDBY, already.get(), false, started);
      }
      List<String> ctlTried = new ArrayList<>();
      PgCtlControl pgCtl =
          new PgCtlControl(PgTool.find("pg_ctl", options.binDir(), major, ctlTried).orElse(null));
      ServerControl server = options.server() != null ? options.server() : pgCtl;
      stopIfRunning(dataDir, server);
      String slot = physicalSlot(primary);
      List<String> tried = new ArrayList<>();
      Optional<PgTool> rewind = PgTool.find("pg_rewind", options.binDir(), major, tried);
      Map<String, byte[]> config = saveConfig(dataDir);
      RejoinMethod method;
      String why;
      if (rewind.isPresent() && rewind(rewind.get(), dataDir, tried)) {
        method = RejoinMethod.REWIND;
        why = "pg_rewind " + rewind.get().version() + " at " + rewind.get().path();
      } else {
        method = RejoinMethod.SQL_CLONE;
        why =
            "no usable pg_rewind for PostgreSQL "
                + major
                + " ("
                + String.join("; ", tried)
                + "): copied the new master's data directory over SQL";
        LOG.info("rejoin of {}: {}", node.name(), why);
        clone(primary, dataDir);
      }
      restoreConfig(dataDir, config);
      StandbySetup.write(
          dataDir, StandbySetup.conninfo(master, node.name(), true), slot, master.name());
      boolean start = options.start() && (options.server() != null || pgCtl.canStart());
      if (start) {
        server.start(dataDir);
      } else if (options.start()) {
        LOG.warn(
            "rejoin of {}: not started, no pg_ctl for PostgreSQL {} ({}); start it yourself, it"
                + " will stream from {}",
            node.name(),
            major,
            String.join("; ", ctlTried),
            master.name());
      }
      return result(method, why, start, started);
    } catch (SQLException e) {
      throw master.unreachable(e, "while rejoining " + node.name());
    } catch (IOException e) {
      throw new UncheckedIOException("rejoin of " + node.name() + " failed: " + e.getMessage(), e);
    }
  }

  private RejoinResult result(RejoinMethod method, String why, boolean started, long nanos) {
    Duration took = Duration.ofNanos(System.nanoTime() - nanos);
    LOG.info(
        "{} rejoined group {} as a standby of {} by {} in {} ms ({})",
        node.name(),
        node.group(),
        master.name(),
        method,
        took.toMillis(),
        why);
    return new RejoinResult(node.group(), node.name(), master.name(), method, why, started, took);
  }

  private Path checkDataDir() {
    Path dir = options.dataDir();
    if (dir == null) {
      throw new SetupException(
          "rejoining "
              + node.name()
              + " rewrites its data directory, so it needs it on this machine: give it with"
              + " --data-dir DIR");
    }
    if (!Files.isRegularFile(dir.resolve("PG_VERSION"))) {
      throw new SetupException(dir + " is not a PostgreSQL data directory (it has no PG_VERSION)");
    }
    try {
      String owner = Files.getOwner(dir).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals(me)) {
        throw new SetupException(
            dir
                + " belongs to '"
                + owner
                + "', but this runs as '"
                + me
                + "': run sluice rejoin as '"
                + owner
                + "' so the server can read what it writes");
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot tell the owner of {}", dir, e);
    }
    return dir;
  }

  private static int major(Path dataDir) {
    try {
      return Integer.parseInt(
          Files.readString(dataDir.resolve("PG_VERSION"), StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      throw new SetupException("cannot read " + dataDir.resolve("PG_VERSION"), e);
    }
  }

  private void checkPrimary(Connection primary, int major) throws SQLException {
    try (Statement st = primary.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_is_in_recovery(), current_setting('server_version_num')::int / 10000")) {
      rs.next();
      if (rs.getBoolean(1)) {
        throw new TopologyException(
            "the master "
                + master.describe()
                + " of group "
                + master.group()
                + " is in recovery (a standby): a node can only rejoin a running master");
      }
      if (rs.getInt(2) != major) {
        throw new SetupException(
            "the data directory is PostgreSQL "
                + major
                + " but the master "
                + master.name()
                + " runs PostgreSQL "
                + rs.getInt(2));
      }
    }
  }

  /** Why nothing needs doing, when the node already streams from the master. */
  private Optional<String> alreadyStandby() {
    try (Connection c = node.connect(timeout);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_is_in_recovery(), (SELECT sender_port FROM pg_stat_wal_receiver"
                    + " WHERE status = 'streaming'), current_setting('data_directory')")) {
      rs.next();
      String runningOn = rs.getString(3);
      if (!sameDir(runningOn, options.dataDir())) {
        throw new SetupException(
            node.describe()
                + " runs on the data directory "
                + runningOn
                + ", not "
                + options.dataDir());
      }
      int senderPort = rs.getInt(2);
      boolean streaming = !rs.wasNull();
      if (rs.getBoolean(1) && streaming && senderPort == master.port()) {
        return Optional.of("it already streams from " + master.name());
      }
      return Optional.empty();
    } catch (SQLException e) {
      return Optional.empty(); // not running, or not reachable: handled by the data directory
    }
  }

  private static boolean sameDir(String running, Path given) {
    try {
      return Path.of(running).toRealPath().equals(given.toRealPath());
    } catch (IOException e) {
      return true; // cannot tell (another mount view): trust the operator
    }
  }

  private void stopIfRunning(Path dataDir, ServerControl server) {
    boolean reachable;
    try (Connection c = node.connect(timeout)) {
      reachable = true;
    } catch (SQLException e) {
      reachable = false;
    }
    if (reachable || PgCtlControl.running(dataDir)) {
      LOG.info("rejoin of {}: stopping it (fast shutdown)", node.name());
      server.stop(dataDir);
    }
  }

  private String physicalSlot(Connection primary) throws SQLException {
    String slot = ("sluice_" + node.name()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    try (PreparedStatement st =
        primary.prepareStatement(
            "SELECT pg_create_physical_replication_slot(?, true) WHERE NOT EXISTS"
                + " (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)")) {
      st.setString(1, slot);
      st.setString(2, slot);
      st.execute();
    }
    return slot;
  }

  private boolean rewind(PgTool tool, Path dataDir, List<String> tried) throws IOException {
    List<String> output = new ArrayList<>();
    LOG.info(
        "rejoin of {}: rewinding with pg_rewind {} at {}",
        node.name(),
        tool.version(),
        tool.path());
    int code = new PgRewind(tool).run(dataDir, master, node.name(), output, REWIND_TIMEOUT_SECONDS);
    if (code == 0) {
      return true;
    }
    String tail = String.join(" | ", output.subList(Math.max(0, output.size() - 5), output.size()));
    tried.add(tool.path() + " failed (exit " + code + "): " + tail);
    LOG.warn("rejoin of {}: pg_rewind failed (exit {}): {}", node.name(), code, tail);
    return false;
  }

  private void clone(Connection primary, Path dataDir) throws SQLException, IOException {
    Path staging =
        dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".sluice-rejoin");
    deleteTree(staging);
    try {
      SqlClone.copy(primary, "sluice rejoin " + node.name(), staging);
      try (Stream<Path> old = Files.list(dataDir)) {
        for (Path p : old.toList()) {
          deleteTree(p);
        }
      }
      try (Stream<Path> copied = Files.list(staging)) {
        for (Path p : copied.toList()) {
          Files.move(
              p, dataDir.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } finally {
      deleteTree(staging);
    }
  }

  private static Map<String, byte[]> saveConfig(Path dataDir) throws IOException {
    Map<String, byte[]> saved = new LinkedHashMap<>();
    for (String name : CONFIG_FILES) {
      Path file = dataDir.resolve(name);
      if (Files.isRegularFile(file)) {
        saved.put(name, Files.readAllBytes(file));
      }
    }
    return saved;
  }

  private static void restoreConfig(Path dataDir, Map<String, byte[]> saved) throws IOException {
    for (Map.Entry<String, byte[]> e : saved.entrySet()) {
      SqlClone.write(dataDir.resolve(e.getKey()), e.getValue());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
