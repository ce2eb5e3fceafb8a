package dev.sluice.journal.internal;

import dev.sluice.journal.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The table schema versions of a journal, in a file of their own ({@code schemas.bin}): each record
 * is a length, a CRC-32 and the encoded schema, appended and forced to disk before any event refers
 * to it. A torn last record (crash while writing) is ignored on reading and cut off by the next
 * writer.
 *
 * <p>Thread-safe. Readers in other processes see new schemas by calling {@link #find} with an id
 * they do not know yet, which re-reads the file's new records.
 */
public final class SchemaStore {
  private final Path file;
  private final boolean writable;
  private final Map<Integer, TableSchema> byId = new ConcurrentHashMap<>();
  private long readOffset;

  public SchemaStore(Path file, boolean writable) {
    this.file = file;
    this.writable = writable;
    synchronized (this) {
      readNewRecords();
      if (writable) {
        truncateTornTail();
      }
    }
  }

  /** The schema with this id, re-reading the file once when it is not known yet; or null. */
  public TableSchema find(int id) {
    TableSchema schema = byId.get(id);
    if (schema == null) {
      synchronized (this) {
        readNewRecords();
      }
      schema = byId.get(id);
    }
    return schema;
  }

  /** Every schema version, by id. */
  public synchronized List<TableSchema> all() {
    readNewRecords();
    List<TableSchema> schemas = new ArrayList<>(byId.values());
    schemas.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return schemas;
  }

  /**
   * The registered version with the same shape, or a newly registered one (durably stored before
   * this returns).
   */
  public synchronized TableSchema register(TableSchema schema) {
    if (!writable) {
      throw new IllegalStateException("the journal is open read-only");
    }
    int maxId = 0;
    for (TableSchema known : byId.values()) {
      if (known.sameShape(schema)) {
        return known;
      }
      maxId = Math.max(maxId, known.id());
    }
    TableSchema registered = schema.withId(maxId + 1);
    Bytes<?> bytes = Bytes.allocateElasticOnHeap(256);
    try {
      EntryCodec.writeSchema(registered, bytes);
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
      readOffset += 8 + payload.length;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store a table schema in " + file, e);
    } finally {
      bytes.releaseLast();
    }
    byId.put(registered.id(), registered);
    return registered;
  }

  private void readNewRecords() {
    if (!Files.exists(file)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer header = ByteBuffer.allocate(8);
      while (readOffset + 8 <= size) {
        header.clear();
        channel.read(header, readOffset);
        header.flip();
        int length = header.getInt();
        int expectedCrc = header.getInt();
        if (length < 0 || readOffset + 8 + length > size) {
          return; // torn record
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        channel.read(payload, readOffset + 8);
        CRC32 crc = new CRC32();
        crc.update(payload.array());
        if ((int) crc.getValue() != expectedCrc) {
          return; // torn record
        }
        Bytes<byte[]> bytes = Bytes.wrapForRead(payload.array());
        try {
          TableSchema schema = EntryCodec.readSchema(bytes);
          byId.put(schema.id(), schema);
        } finally {
          bytes.releaseLast();
        }
        readOffset += 8 + length;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read table schemas from " + file, e);
    }
  }

  private void truncateTornTail() {
    try {
      if (Files.exists(file) && Files.size(file) > readOffset) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.truncate(readOffset);
          channel.force(true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot repair " + file, e);
    }
  }
}
