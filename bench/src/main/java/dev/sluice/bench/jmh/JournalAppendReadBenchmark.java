package dev.sluice.bench.jmh;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SyncPolicy;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.JournalWriter;
import dev.sluice.journal.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Chronicle Queue journal: one change appended (no sync; capture syncs once per batch), and one
 * entry read by a sequential reader, per operation. Each trial uses a new journal in a temporary
 * directory; reading wraps to the start at the end.
 */
@State(Scope.Thread)
public class JournalAppendReadBenchmark {
  private static final int PRELOADED = 100_000;

  private Path dir;
  private Journal journal;
  private JournalWriter writer;
  private JournalReader reader;
  private TableSchema schema;
  private long nextId;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("sluice-jmh-journal-");
    journal = Journal.open(new JournalConfig(dir, Duration.ofDays(7), SyncPolicy.NONE));
    writer = journal.writer();
    schema = writer.register(SampleChanges.schema(0));
    for (nextId = 1; nextId <= PRELOADED; nextId++) {
      writer.append(SampleChanges.insert(schema, nextId));
    }
    writer.sync();
    reader = journal.reader();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    journal.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public long append() {
    return writer.append(SampleChanges.insert(schema, nextId++));
  }

  @Benchmark
  public JournalEntry read() {
    JournalEntry entry = reader.next();
    if (entry == null) {
      reader.seek(journal.firstPosition());
      entry = reader.next();
    }
    return entry;
  }
}
