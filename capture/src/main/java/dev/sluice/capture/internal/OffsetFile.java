package dev.sluice.capture.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.DurableFile;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The engine's stored source position, in one small file that is replaced atomically (written to a
 * temporary file, forced to disk, renamed): a crash leaves the old or the new version, never a torn
 * one. Keys and values are the engine's own JSON bytes.
 */
public final class OffsetFile {
  private static final int MAGIC = 0x534c4f46; // "SLOF"
  private static final ObjectMapper JSON = new ObjectMapper();

  private OffsetFile() {}

  /** The stored entries, or none when the file does not exist. */
  public static Map<ByteBuffer, ByteBuffer> read(Path file) {
    Map<ByteBuffer, ByteBuffer> entries = new HashMap<>();
    if (!Files.exists(file)) {
      return entries;
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length < 12) {
        throw new IOException("too short");
      }
      CRC32 crc = new CRC32();
      crc.update(bytes, 0, bytes.length - 4);
      int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
      if ((int) crc.getValue() != stored) {
        throw new IOException("checksum mismatch");
      }
      DataInputStream in =
          new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4));
      if (in.readInt() != MAGIC) {
        throw new IOException("not an offsets file");
      }
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        byte[] key = new byte[in.readInt()];
        in.readFully(key);
        int valueLength = in.readInt();
        byte[] value = valueLength < 0 ? null : new byte[valueLength];
        if (value != null) {
          in.readFully(value);
        }
        entries.put(ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value));
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the capture position file " + file + " is unreadable (" + e.getMessage() + ")", e);
    }
  }

  /** Replaces the file's content atomically and durably. */
  public static void write(Path file, Map<ByteBuffer, ByteBuffer> entries) {
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buffer);
      out.writeInt(MAGIC);
      out.writeInt(entries.size());
      for (Map.Entry<ByteBuffer, ByteBuffer> entry : entries.entrySet()) {
        writeBytes(out, entry.getKey());
        writeBytes(out, entry.getValue());
      }
      out.flush();
      byte[] body = buffer.toByteArray();
      CRC32 crc = new CRC32();
      crc.update(body);
      DurableFile.replace(
          file, ByteBuffer.wrap(body), ByteBuffer.allocate(4).putInt(0, (int) crc.getValue()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the capture position in " + file, e);
    }
  }

  private static void writeBytes(DataOutputStream out, ByteBuffer bytes) throws IOException {
    if (bytes == null) {
      out.writeInt(-1);
      return;
    }
    ByteBuffer copy = bytes.duplicate();
    byte[] array = new byte[copy.remaining()];
    copy.get(array);
    out.writeInt(array.length);
    out.write(array);
  }

  /**
   * Whether a stored offset is one of an initial snapshot the engine had not finished: the engine
   * takes the snapshot again from the start when it finds one.
   */
  public static boolean snapshotUnfinished(Map<String, Object> offset) {
    return offset.get("snapshot") != null && !Boolean.TRUE.equals(offset.get("snapshot_completed"));
  }

  /**
   * Stores the position at the end of an initial snapshot taken at {@code lsn}: the engine then
   * streams the changes committed after it instead of taking the snapshot again. The entry is the
   * one the engine stores itself after the snapshot's last row (its key names the engine and the
   * topic prefix; its value says the snapshot completed).
   *
   * @param stored the engine's unfinished offset, whose other fields are kept, or empty
   */
  public static void writeCompletedSnapshot(
      Path file,
      String engineName,
      String topicPrefix,
      long lsn,
      Optional<Map<String, Object>> stored) {
    Map<String, Object> offset = new java.util.LinkedHashMap<>(stored.orElse(Map.of()));
    offset.remove("lsn_proc");
    offset.remove("lsn_commit");
    offset.put("lsn", lsn);
    offset.putIfAbsent("ts_usec", java.time.Instant.now().toEpochMilli() * 1_000);
    offset.put("snapshot", "INITIAL");
    offset.put("last_snapshot_record", true);
    offset.put("snapshot_completed", true);
    writeOffset(file, engineName, topicPrefix, offset);
  }

  /**
   * Whether a stored offset is one of a blocking snapshot (of tables added to capture, or a resync)
   * that the engine had not finished when it stopped: its position is where streaming paused.
   */
  public static boolean blockingSnapshotUnfinished(Map<String, Object> offset) {
    return "BLOCKING".equals(String.valueOf(offset.get("snapshot"))) && snapshotUnfinished(offset);
  }

  /**
   * Stores {@code stored} without its snapshot fields: the engine streams on from the position
   * where a blocking snapshot paused it, instead of taking it for an unfinished initial snapshot.
   */
  public static void writeStreaming(
      Path file, String engineName, String topicPrefix, Map<String, Object> stored) {
    Map<String, Object> offset = new java.util.LinkedHashMap<>(stored);
    offset.remove("snapshot");
    offset.remove("last_snapshot_record");
    offset.remove("snapshot_completed");
    writeOffset(file, engineName, topicPrefix, offset);
  }

  private static void writeOffset(
      Path file, String engineName, String topicPrefix, Map<String, Object> offset) {
    try {
      byte[] key =
          JSON.writeValueAsBytes(java.util.List.of(engineName, Map.of("server", topicPrefix)));
      byte[] value = JSON.writeValueAsBytes(offset);
      write(file, Map.of(ByteBuffer.wrap(key), ByteBuffer.wrap(value)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the capture position in " + file, e);
    }
  }

  /** The source position the engine stored (its offset map), when there is one. */
  public static Optional<Map<String, Object>> sourceOffset(Path file) {
    for (ByteBuffer value : read(file).values()) {
      if (value == null) {
        continue;
      }
      try {
        ByteBuffer copy = value.duplicate();
        byte[] json = new byte[copy.remaining()];
        copy.get(json);
        @SuppressWarnings("unchecked")
        Map<String, Object> offset =
            JSON.readValue(new String(json, StandardCharsets.UTF_8), Map.class);
        return Optional.of(offset);
      } catch (IOException e) {
        throw new UncheckedIOException("the capture position in " + file + " is not readable", e);
      }
    }
    return Optional.empty();
  }
}
