package dev.sluice.bench.jmh;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.internal.EntryCodec;
import net.openhft.chronicle.bytes.Bytes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The journal's binary codec: one change encoded, and one decoded, per operation. */
@State(Scope.Thread)
public class JournalCodecBenchmark {
  private TableSchema schema;
  private ChangeEvent change;
  private Bytes<?> encodeBuffer;
  private Bytes<?> encoded;

  @Setup
  public void setUp() {
    schema = SampleChanges.schema(1);
    change = SampleChanges.insert(schema, 42);
    encodeBuffer = Bytes.allocateElasticDirect(512);
    encoded = Bytes.allocateElasticDirect(512);
    EntryCodec.writeChange(change, encoded);
  }

  @TearDown
  public void tearDown() {
    encodeBuffer.releaseLast();
    encoded.releaseLast();
  }

  @Benchmark
  public long encode() {
    encodeBuffer.clear();
    EntryCodec.writeChange(change, encodeBuffer);
    return encodeBuffer.writePosition();
  }

  @Benchmark
  public JournalEntry decode() {
    encoded.readPosition(0);
    return EntryCodec.read(7, encoded, id -> schema);
  }
}
