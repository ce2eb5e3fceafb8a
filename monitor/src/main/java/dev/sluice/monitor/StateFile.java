package dev.sluice.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.monitor.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The state file: a snapshot and the recent activity as JSON, written by the running sidecar every
 * {@code monitor.poll} and read by {@code sluice monitor --state FILE}.
 *
 * <p>Written atomically (a temporary file in the same directory, synced, then renamed over the old
 * one), so a reader sees the old or the new file, never half of one; readable by its owner only. It
 * holds no secret: the view model has no credential fields, and error messages in it are masked.
 */
public final class StateFile {
  /** The format version written; {@link #read} refuses other versions. */
  public static final int FORMAT = 1;

  private static final ObjectMapper JSON = Json.mapper();

  private StateFile() {}

  /**
   * A state file's contents.
   *
   * @param format the format version ({@value #FORMAT})
   * @param writtenAt when it was written
   * @param snapshot the figures
   * @param events the recent activity, oldest first
   */
  public record Contents(
      int format, Instant writtenAt, Snapshot snapshot, List<ActivityEvent> events) {
    public Contents {
      Objects.requireNonNull(snapshot, "snapshot");
      events = events == null ? List.of() : List.copyOf(events);
    }
  }

  /**
   * Replaces the file atomically.
   *
   * @throws UncheckedIOException when it cannot be written
   */
  public static void write(Path file, Snapshot snapshot, List<ActivityEvent> events) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path temp = null;
    try {
      byte[] bytes =
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(new Contents(FORMAT, Instant.now(), snapshot, events));
      Files.createDirectories(dir);
      String prefix = "." + target.getFileName() + ".";
      temp =
          FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
              ? Files.createTempFile(
                  dir,
                  prefix,
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(dir, prefix, ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the state file " + file + ": " + e, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // nothing more to do
        }
      }
    }
  }

  /**
   * Reads a state file.
   *
   * @throws UncheckedIOException when it is missing or unreadable
   * @throws IllegalArgumentException when it is not a state file of this format
   */
  public static Contents read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("there is no state file " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state file " + file + ": " + e, e);
    }
    Contents contents;
    try {
      contents = JSON.readValue(bytes, Contents.class);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(
          file + " is not a Sluice state file: " + firstLine(e.getMessage()), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (contents == null || contents.format() != FORMAT) {
      throw new IllegalArgumentException(
          file
              + " is a state file of format "
              + (contents == null ? "?" : contents.format())
              + "; this Sluice reads format "
              + FORMAT);
    }
    return contents;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
