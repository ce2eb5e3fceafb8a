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
      checkPostmasterPort(dataDir);
      checkSameCluster(primary, dataDir);
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

  /**
   * Refuses a data directory whose running server (its {@code postmaster.pid}) listens on another
   * port than the node's: it is another cluster's, which must not be stopped.
   */
  private void checkPostmasterPort(Path dataDir) {
    Optional<PostmasterFile> running =
        PostmasterFile.read(dataDir).filter(PostmasterFile::isLivePostmaster);
    if (running.isPresent() && running.get().port() != 0 && running.get().port() != node.port()) {
      throw new SetupException(
          dataDir
              + " is the data directory of the server on port "
              + running.get().port()
              + " (its postmaster.pid says so), but node "
              + node.describe()
              + " is on port "
              + node.port()
              + ": it is another cluster's, so nothing was stopped or changed; give the node's own"
              + " data directory with --data-dir");
    }
  }

  /**
   * Refuses a data directory of another cluster: its system identifier (in {@code
   * global/pg_control}, what {@code pg_controldata} prints) must be the master's, as it is for
   * every copy made from the same cluster. Rewinding or re-cloning anything else would replace
   * someone's database.
   */
  private void checkSameCluster(Connection primary, Path dataDir) throws SQLException {
    long own = ControlFile.systemIdentifier(dataDir);
    long master;
    try (Statement st = primary.createStatement();
        ResultSet rs = st.executeQuery("SELECT system_identifier FROM pg_control_system()")) {
      rs.next();
      master = rs.getLong(1);
    }
    if (own != master) {
      throw new SetupException(
          dataDir
              + " belongs to another cluster (system identifier "
              + Long.toUnsignedString(own)
              + ") than the master "
              + this.master.name()
              + " ("
              + Long.toUnsignedString(master)
              + "): only a former member of group "
              + node.group()
              + " can rejoin it, so nothing was stopped or changed; give "
              + node.name()
              + "'s own data directory with --data-dir");
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

  /**
   * Copies the new master over SQL into a staging directory beside the data directory, then swaps:
   * the old files are moved aside, the copy is moved in, and only then are the old files deleted.
   * When moving the copy in fails, the old files are moved back: at no moment are both gone.
   */
  private void clone(Connection primary, Path dataDir) throws SQLException, IOException {
    Path staging = sibling(dataDir, ".sluice-rejoin");
    Path aside = sibling(dataDir, ".sluice-old");
    deleteTree(staging);
    deleteTree(aside);
    try {
      SqlClone.copy(primary, "sluice rejoin " + node.name(), staging);
      OwnerOnlyFile.createDirectories(aside);
      moveEntries(dataDir, aside);
      try {
        moveEntries(staging, dataDir);
      } catch (IOException e) {
        deleteEntries(dataDir); // the part of the copy that was moved in
        moveEntries(aside, dataDir);
        throw e;
      }
      deleteTree(aside);
    } finally {
      deleteTree(staging);
    }
  }

  private static Path sibling(Path dataDir, String suffix) {
    return dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + suffix);
  }

  /** Moves every entry of {@code from} into {@code to} (same file system: renames). */
  private static void moveEntries(Path from, Path to) throws IOException {
    try (Stream<Path> entries = Files.list(from)) {
      for (Path p : entries.toList()) {
        Files.move(p, to.resolve(p.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }

  private static void deleteEntries(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        deleteTree(p);
      }
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
