package dev.sluice.bench;

import dev.sluice.testkit.PostgresCluster;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline a user would pick instead of Sluice: the same Debezium engine version with its
 * default settings and JSON output, handed to a consumer that discards it (what Debezium Server
 * does before its sink), reading a slot of the same WAL.
 *
 * <p>Only what the engine cannot run without is set: the connection, {@code plugin.name=pgoutput}
 * (the default, decoderbufs, is not installed in the server), the slot and the publication made for
 * it, the table, {@code snapshot.mode=no_data} (the table's rows are in the WAL to stream, as for
 * the other sides), and a file for its offsets. Not thread-safe; close it once.
 */
final class StockDebezium implements AutoCloseable {
  private final DebeziumEngine<ChangeEvent<String, String>> engine;
  private final ExecutorService thread;
  private final AtomicLong changes = new AtomicLong();
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<String> failed = new CompletableFuture<>();

  private StockDebezium(PostgresCluster source, String table, String slot, String pub, Path dir) {
    Properties p = new Properties();
    p.setProperty("name", "stock-" + slot);
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
    p.setProperty("offset.storage.file.filename", dir.resolve("offsets.dat").toString());
    p.setProperty("database.hostname", source.host());
    p.setProperty("database.port", Integer.toString(source.port()));
    p.setProperty("database.user", "postgres");
    p.setProperty("database.password", "");
    p.setProperty("database.dbname", Clusters.DATABASE);
    p.setProperty("topic.prefix", "stock");
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", slot);
    p.setProperty("publication.name", pub);
    p.setProperty("table.include.list", "public\\." + table);
    p.setProperty("snapshot.mode", "no_data");
    this.engine =
        DebeziumEngine.create(Json.class)
            .using(p)
            .notifying(
                (List<ChangeEvent<String, String>> records,
                    DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
                  for (ChangeEvent<String, String> record : records) {
                    if (record.value() != null && record.destination().endsWith(table)) {
                      changes.incrementAndGet();
                    }
                    committer.markProcessed(record);
                  }
                  committer.markBatchFinished();
                })
            .using(
                (success, message, error) -> {
                  failed.complete(message);
                  started.complete(null);
                })
            .using(
                new DebeziumEngine.ConnectorCallback() {
                  @Override
                  public void taskStarted() {
                    started.complete(null);
                  }
                })
            .build();
    this.thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "stock-debezium"));
  }

  /** Starts the engine and returns once its task runs (it reads the slot). */
  static StockDebezium start(
      PostgresCluster source, String table, String slot, String publication, Path dir)
      throws Exception {
    StockDebezium stock = new StockDebezium(source, table, slot, publication, dir);
    stock.thread.execute(stock.engine);
    stock.started.get(2, TimeUnit.MINUTES);
    stock.failIfStopped();
    return stock;
  }

  /** Data changes of the table the consumer received. */
  long changes() {
    failIfStopped();
    return changes.get();
  }

  private void failIfStopped() {
    if (failed.isDone()) {
      throw new IllegalStateException("the stock Debezium engine stopped: " + failed.join());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    engine.close();
    thread.shutdown();
    if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
      thread.shutdownNow();
    }
  }
}
