package dev.sluice.capture.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * The engine's offset store: in memory, saved to an {@link OffsetFile} on every flush. The engine
 * creates it by class name ({@code offset.storage}) and reads the file name from {@value #FILE}.
 *
 * <p>The engine flushes only offsets of records Sluice marked as processed, and Sluice marks a
 * record only after its change is synced to the journal: so the stored position (and the slot,
 * which follows it) never passes what the journal holds.
 */
public final class DurableOffsetStore extends MemoryOffsetBackingStore {
  public static final String FILE = "offset.storage.file.filename";

  private Path file;

  @Override
  public void configure(WorkerConfig config) {
    super.configure(config);
    Object name = config.originals().get(FILE);
    if (name == null) {
      throw new IllegalStateException(FILE + " is not set");
    }
    file = Path.of(name.toString());
  }

  @Override
  public synchronized void start() {
    super.start();
    data.putAll(OffsetFile.read(file));
  }

  @Override
  protected void save() {
    OffsetFile.write(file, data);
  }

  @Override
  public Set<Map<String, Object>> connectorPartitions(String connectorName) {
    return Set.of();
  }
}
