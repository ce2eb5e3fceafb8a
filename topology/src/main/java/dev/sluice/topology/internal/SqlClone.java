package dev.sluice.topology.internal;

import dev.sluice.config.DurableFile;
import dev.sluice.config.PostgresVersion;
import dev.sluice.config.SetupException;
import dev.sluice.config.SqlFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a running primary's data directory over one SQL session, as a base backup: {@code
 * pg_backup_start(fast)}, the file list from {@code pg_ls_dir}/{@code pg_stat_file}, the contents
 * from {@code pg_read_binary_file} (small files many at a time, large ones in chunks), then {@code
 * pg_backup_stop()} whose label file becomes {@code backup_label}. On PostgreSQL 13 and 14 the same
 * non-exclusive backup is {@code pg_start_backup(label, fast, false)} and {@code
 * pg_stop_backup(false, false)} (renamed in 15). What base backups leave out (WAL, slots, temporary
 * and runtime state) is left out; the WAL comes by streaming, so the caller makes sure the primary
 * keeps it (a physical slot created before the copy).
 *
 * <p>Needs a superuser (or {@code pg_read_server_files} plus EXECUTE on those functions). Does not
 * handle tablespaces outside the data directory: it refuses when there are any.
 */
final class SqlClone {
  private static final Logger LOG = LoggerFactory.getLogger(SqlClone.class);
  private static final long SMALL = 1 << 20;
  private static final long BATCH_BYTES = 16 << 20;
  private static final long CHUNK = 16 << 20;

  /** What a small file may have grown by since the listing and still be read in one go. */
  private static final long GROWTH = 64 << 10;

  /** Directories whose contents a base backup leaves out (they are created empty). */
  private static final List<String> EMPTY_DIRS =
      List.of(
          "pg_wal",
          "pg_replslot",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_stat_tmp",
          "pg_subtrans");

  /** Files a base backup leaves out, in any directory. */
  private static final Set<String> SKIPPED_FILES =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "pg_internal.init",
          "backup_label",
          "backup_label.old",
          "tablespace_map",
          "backup_manifest",
          "standby.signal",
          "recovery.signal",
          "current_logfiles");

  private static final String LISTING =
      "WITH RECURSIVE tree(path, size, isdir) AS ("
          + " SELECT n, s.size, s.isdir FROM pg_ls_dir('.', true, false) n,"
          + " LATERAL pg_stat_file(n, true) s"
          + " UNION ALL"
          + " SELECT t.path || '/' || n, s.size, s.isdir FROM tree t,"
          + " LATERAL pg_ls_dir(t.path, true, false) n,"
          + " LATERAL pg_stat_file(t.path || '/' || n, true) s"
          + " WHERE t.isdir AND NOT t.path = ANY (?::text[]))"
          + " SELECT path, size, isdir FROM tree WHERE isdir IS NOT NULL ORDER BY path";

  private SqlClone() {}

  /** A file or directory of the primary's data directory. */
  private record Entry(String path, long size, boolean dir) {}

  /**
   * Copies the primary behind {@code c} into {@code staging} (created; must not exist).
   *
   * @return the number of bytes copied
   */
  static long copy(Connection c, String label, Path staging) throws SQLException, IOException {
    refuseTablespaces(c);
    OwnerOnlyFile.createDirectories(staging);
    boolean renamed = PostgresVersion.of(c).atLeast(15);
    String stop = renamed ? "pg_backup_stop(false)" : "pg_stop_backup(false, false)";
    try (Statement st = c.createStatement()) {
      try (PreparedStatement start =
          c.prepareStatement(
              renamed
                  ? "SELECT pg_backup_start(?, true)"
                  : "SELECT pg_start_backup(?, true, false)")) {
        start.setString(1, label);
        start.execute();
      }
      boolean stopped = false;
      try {
        List<Entry> entries = list(c);
        long bytes = 0;
        List<Entry> small = new ArrayList<>();
        long smallBytes = 0;
        for (Entry e : entries) {
          Path target = staging.resolve(e.path);
          if (e.dir) {
            OwnerOnlyFile.createDirectories(target);
          } else if (e.size <= SMALL) {
            small.add(e);
            smallBytes += e.size;
            if (smallBytes >= BATCH_BYTES || small.size() >= 1000) {
              bytes += readSmall(c, small, staging);
              small.clear();
              smallBytes = 0;
            }
          } else {
            bytes += readLarge(c, e, target);
          }
        }
        bytes += readSmall(c, small, staging);
        List<String> walDirs =
            PostgresVersion.of(c).atLeast(17)
                ? List.of("pg_wal/archive_status", "pg_wal/summaries")
                : List.of("pg_wal/archive_status");
        for (String dir : walDirs) {
          OwnerOnlyFile.createDirectories(staging.resolve(dir));
        }
        try (ResultSet rs =
            st.executeQuery("SELECT lsn::text, labelfile, spcmapfile FROM " + stop)) {
          rs.next();
          stopped = true;
          write(staging.resolve("backup_label"), rs.getString(2).getBytes());
          String map = rs.getString(3);
          if (map != null && !map.isEmpty()) {
            write(staging.resolve("tablespace_map"), map.getBytes());
          }
          LOG.info(
              "copied {} files ({}) from the new master; the copy is consistent from {}",
              entries.size(),
              Lsn.bytes(bytes),
              rs.getString(1));
        }
        return bytes;
      } finally {
        if (!stopped) {
          try {
            st.execute("SELECT " + stop);
          } catch (SQLException e) {
            // the session may be gone; the backup ends with it
          }
        }
      }
    } catch (SQLException e) {
      if (SqlFailure.of(e) == SqlFailure.PERMISSION) {
        throw new SetupException(
            "re-cloning over SQL needs a superuser on the new master (pg_backup_start, pg_ls_dir,"
                + " pg_read_binary_file): "
                + Endpoint.firstLine(e.getMessage()),
            e);
      }
      throw e;
    }
  }

  private static void refuseTablespaces(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT string_agg(spcname, ', ') FROM pg_tablespace"
                    + " WHERE spcname NOT IN ('pg_default', 'pg_global')")) {
      rs.next();
      if (rs.getString(1) != null) {
        throw new SetupException(
            "the new master has tablespaces outside its data directory ("
                + rs.getString(1)
                + "); re-cloning over SQL does not copy them: install pg_rewind of the same major"
                + " version and give its directory with --pg-bin");
      }
    }
  }

  private static List<Entry> list(Connection c) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(LISTING)) {
      Array skip = c.createArrayOf("text", EMPTY_DIRS.toArray());
      st.setArray(1, skip);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String path = rs.getString(1);
          String name = path.substring(path.lastIndexOf('/') + 1);
          boolean dir = rs.getBoolean(3);
          boolean insideEmptyDir = EMPTY_DIRS.stream().anyMatch(d -> path.startsWith(d + "/"));
          if (insideEmptyDir
              || !dir && (SKIPPED_FILES.contains(name) || name.startsWith("pgsql_tmp"))) {
            continue;
          }
          entries.add(new Entry(path, rs.getLong(2), dir));
        }
      }
    }
    return entries;
  }

  /**
   * Reads small files many at a time, each up to its listed size plus {@link #GROWTH}; a file that
   * grew past that since the listing is read on in chunks. (The 4-argument {@code
   * pg_read_binary_file} asks for a length, which the server allocates; its 2-argument form with
   * {@code missing_ok}, which reads to the end, is PostgreSQL 15+.)
   */
  private static long readSmall(Connection c, List<Entry> files, Path staging)
      throws SQLException, IOException {
    if (files.isEmpty()) {
      return 0;
    }
    long bytes = 0;
    List<Entry> grown = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT f.p, f.n, pg_read_binary_file(f.p, 0, f.n, true)"
                + " FROM unnest(?::text[], ?::bigint[]) AS f(p, n)")) {
      st.setArray(1, c.createArrayOf("text", files.stream().map(Entry::path).toArray()));
      st.setArray(2, c.createArrayOf("bigint", files.stream().map(e -> e.size + GROWTH).toArray()));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          byte[] content = rs.getBytes(3);
          if (content == null) {
            continue; // removed since the listing: WAL replay agrees
          }
          Path target = staging.resolve(rs.getString(1));
          OwnerOnlyFile.createDirectories(target.getParent());
          write(target, content);
          bytes += content.length;
          if (content.length == rs.getLong(2)) {
            grown.add(new Entry(rs.getString(1), content.length, false));
          }
        }
      }
    }
    for (Entry e : grown) {
      bytes += readFrom(c, e, staging.resolve(e.path), e.size) - e.size;
    }
    return bytes;
  }

  private static long readLarge(Connection c, Entry file, Path target)
      throws SQLException, IOException {
    OwnerOnlyFile.createDirectories(target.getParent());
    return readFrom(c, file, target, 0);
  }

  /**
   * Reads a file in chunks from {@code offset} on, writing it from there.
   *
   * @return the offset it ended at
   */
  private static long readFrom(Connection c, Entry file, Path target, long offset)
      throws SQLException, IOException {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_read_binary_file(?, ?, ?, true)");
        FileChannel out =
            offset == 0 ? OwnerOnlyFile.open(target) : OwnerOnlyFile.openKeeping(target)) {
      out.position(offset);
      while (true) {
        st.setString(1, file.path);
        st.setLong(2, offset);
        st.setLong(3, CHUNK);
        byte[] chunk;
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          chunk = rs.getBytes(1);
        }
        if (chunk == null || chunk.length == 0) {
          break;
        }
        DurableFile.writeFully(out, ByteBuffer.wrap(chunk));
        offset += chunk.length;
        if (chunk.length < CHUNK) {
          break;
        }
      }
      out.force(true);
    }
    return offset;
  }

  /** Writes a file of the copy: owner-only from its creation, and synced. */
  static void write(Path target, byte[] content) throws IOException {
    OwnerOnlyFile.write(target, content);
  }
}
