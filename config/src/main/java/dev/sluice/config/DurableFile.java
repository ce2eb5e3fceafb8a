package dev.sluice.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Small files (positions, roles, requests) replaced whole or not at all, and on disk when {@link
 * #replace} returns: the content goes to a new temporary sibling readable by its owner only, is
 * synced, renamed over the file, and the directory is synced so the rename survives a power loss.
 * After a crash the file holds the old content or the new one, never a part of either.
 *
 * <p>Shared by every module that keeps such a file (capture beside the journal, topology beside the
 * state file, the sidecar's snapshot request). Thread-safe: each call uses a temporary file of its
 * own, so concurrent writers (two processes included) never mix their bytes; the last rename wins.
 */
public final class DurableFile {
  private DurableFile() {}

  /**
   * Replaces {@code file} with {@code content} (the buffers one after the other), durably. The file
   * ends up readable and writable by its owner only (where the file system has POSIX permissions).
   *
   * @throws IOException when the directory cannot be written; the old content is then untouched
   */
  public static void replace(Path file, ByteBuffer... content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path temporary = createOwnerOnly(dir, "." + file.getFileName());
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        writeFully(channel, content);
        channel.force(true);
      }
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** As {@link #replace(Path, ByteBuffer...)} with one array. */
  public static void replace(Path file, byte[] content) throws IOException {
    replace(file, ByteBuffer.wrap(content));
  }

  /**
   * Writes every remaining byte of each buffer, in order: a channel may write fewer bytes than
   * asked in one call, so this calls it until nothing remains.
   */
  public static void writeFully(WritableByteChannel channel, ByteBuffer... content)
      throws IOException {
    for (ByteBuffer part : content) {
      ByteBuffer remaining = part.duplicate();
      while (remaining.hasRemaining()) {
        channel.write(remaining);
      }
    }
  }

  /** Syncs a directory, so the names created, renamed or removed in it are on disk. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }

  private static Path createOwnerOnly(Path dir, String prefix) throws IOException {
    try {
      return Files.createTempFile(
          dir,
          prefix,
          ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) { // not a POSIX file system
      return Files.createTempFile(dir, prefix, ".tmp");
    }
  }
}
