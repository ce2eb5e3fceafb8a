package dev.sluice.topology.internal;

import dev.sluice.config.SetupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A data directory's {@code global/pg_control}, read without {@code pg_controldata} (which may be
 * missing, or of another major version). Only its first field is read: the system identifier, an
 * unsigned 64-bit number in the machine's byte order that {@code initdb} chose and that every
 * physical copy of the cluster keeps, in every PostgreSQL version.
 */
final class ControlFile {
  private ControlFile() {}

  /**
   * The system identifier (as the bits of a signed long; print it with {@link
   * Long#toUnsignedString}).
   *
   * @throws SetupException when the file cannot be read
   */
  static long systemIdentifier(Path dataDir) {
    Path file = dataDir.resolve("global").resolve("pg_control");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new IOException("it is shorter than 8 bytes");
        }
      }
      return buffer.flip().getLong();
    } catch (IOException e) {
      throw new SetupException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
