package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
  @TempDir Path dir;

  @Test
  void theFileIsReplacedWholeReadableByItsOwnerOnlyAndNoTemporaryFileIsLeft() throws Exception {
    Path file = dir.resolve("offsets");
    Files.writeString(file, "the old content, longer than the new one");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    DurableFile.replace(
        file,
        ByteBuffer.wrap("new ".getBytes(StandardCharsets.UTF_8)),
        ByteBuffer.wrap("𝄞 content".getBytes(StandardCharsets.UTF_8)));

    assertThat(Files.readString(file)).isEqualTo("new 𝄞 content");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void everyByteIsWrittenWhenTheChannelTakesAFewAtATime() throws Exception {
    Path file = dir.resolve("roles");
    byte[] content = new byte[10_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      DurableFile.writeFully(
          new AtMost(channel, 7),
          ByteBuffer.wrap(content, 0, 4_000),
          ByteBuffer.wrap(content, 4_000, 6_000));
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(content);
  }

  /**
   * A real file channel that writes at most {@code limit} bytes per call, as sockets and pipes may.
   */
  private record AtMost(FileChannel file, int limit) implements WritableByteChannel {
    @Override
    public int write(ByteBuffer src) throws java.io.IOException {
      ByteBuffer slice = src.slice();
      slice.limit(Math.min(limit, slice.remaining()));
      int written = file.write(slice);
      src.position(src.position() + written);
      return written;
    }

    @Override
    public boolean isOpen() {
      return file.isOpen();
    }

    @Override
    public void close() throws java.io.IOException {
      file.close();
    }
  }
}
