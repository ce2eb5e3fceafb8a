package dev.sluice.topology.internal;

import dev.sluice.config.DurableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files that only their owner may read, created so from the start (never created readable and
 * tightened afterwards, which leaves a moment when others can open them): a data directory's files,
 * a program's output, a password file.
 */
final class OwnerOnlyFile {
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  private OwnerOnlyFile() {}

  /** A new, empty temporary file in the system's temporary directory. */
  static Path create(String prefix, String suffix) throws IOException {
    try {
      return Files.createTempFile(prefix, suffix, PosixFilePermissions.asFileAttribute(FILE));
    } catch (UnsupportedOperationException e) { // not a POSIX file system
      return Files.createTempFile(prefix, suffix);
    }
  }

  /**
   * Creates or replaces {@code target} with {@code content}, owner-only, and syncs it; a file that
   * existed keeps its inode and has its permissions tightened before it is written.
   */
  static void write(Path target, byte[] content) throws IOException {
    try (FileChannel channel = open(target)) {
      DurableFile.writeFully(channel, ByteBuffer.wrap(content));
      channel.force(true);
    }
  }

  /** Opens {@code target} for writing from its start, created owner-only, truncated. */
  static FileChannel open(Path target) throws IOException {
    Set<OpenOption> options =
        Set.of(
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    try {
      FileChannel channel =
          FileChannel.open(target, options, PosixFilePermissions.asFileAttribute(FILE));
      Files.setPosixFilePermissions(target, FILE); // it may have existed with wider ones
      return channel;
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(target, options);
    }
  }

  /**
   * Opens {@code target} for reading and writing, created owner-only when missing; an existing file
   * keeps its content.
   */
  static FileChannel openKeeping(Path target) throws IOException {
    Set<OpenOption> options =
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      return FileChannel.open(target, options, PosixFilePermissions.asFileAttribute(FILE));
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(target, options);
    }
  }

  /** Creates {@code dir} (and its missing parents) owner-only; an existing one is left as it is. */
  static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    FileAttribute<Set<PosixFilePermission>> attribute =
        PosixFilePermissions.asFileAttribute(DIRECTORY);
    try {
      Files.createDirectories(dir, attribute);
    } catch (UnsupportedOperationException e) {
      Files.createDirectories(dir);
    }
  }

  static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file in the temporary directory: the system cleans it up
    }
  }
}
