package dev.sluice.journal.internal;

import dev.sluice.journal.Marker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The journal's markers (capture and snapshot starts and ends) in a small file of their own ({@code
 * markers.bin}), so they can be found without scanning the journal: each record is a length, a
 * CRC-32 and the encoded marker with its position, forced to disk. A torn last record is ignored.
 * Thread-safe.
 */
public final class MarkerIndex {
  private final Path file;
  private final boolean writable;

  public MarkerIndex(Path file, boolean writable) {
    this.file = file;
    this.writable = writable;
  }

  public synchronized void add(Marker marker) {
    if (!writable) {
      throw new IllegalStateException("the journal is open read-only");
    }
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(128);
    try {
      bytes.writeLong(marker.position());
      EntryCodec.writeMarker(marker, bytes);
      byte[] payload = bytes.toByteArray();
      CRC32 crc = new CRC32();
      crc.update(payload);
      ByteBuffer record = ByteBuffer.allocate(8 + payload.length);
      record.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
      try (FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        while (record.hasRemaining()) {
          channel.write(record);
        }
        channel.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a marker in " + file, e);
    } finally {
      bytes.releaseLast();
    }
  }

  /** Every recorded marker, oldest first. */
  public synchronized List<Marker> all() {
    List<Marker> markers = new ArrayList<>();
    if (!Files.exists(file)) {
      return markers;
    }
    try {
      ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
      while (data.remaining() >= 8) {
        int length = data.getInt();
        int expected = data.getInt();
        if (length < 0 || length > data.remaining()) {
          break;
        }
        byte[] payload = new byte[length];
        data.get(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        if ((int) crc.getValue() != expected) {
          break;
        }
        Bytes<byte[]> bytes = Bytes.wrapForRead(payload);
        try {
          long position = bytes.readLong();
          markers.add(((Marker) EntryCodec.read(position, bytes, id -> null)));
        } finally {
          bytes.releaseLast();
        }
      }
      return markers;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read markers from " + file, e);
    }
  }
}
