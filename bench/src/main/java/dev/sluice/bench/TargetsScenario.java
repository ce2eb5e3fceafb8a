package dev.sluice.bench;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.sluice.testkit.KafkaBroker;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 4: apply rate into the other target kinds, from one captured journal (the replay code
 * path, which is the rules' apply loop over a range): MariaDB ({@code 127.0.0.1:3306}, root, no
 * password, database {@code test}), a SQLite file, the in-process MongoDB wire server
 * (mongo-java-server, memory backend), NATS JetStream ({@code 127.0.0.1:4222}, a running rule
 * publishing every change with acknowledgements), Kafka (a KRaft broker the bench starts in a child
 * JVM, a running rule publishing in transactions), and a real MongoDB when {@code
 * SLUICE_BENCH_MONGO_URI} is set. A target that cannot be reached is noted and skipped, the others
 * still run.
 */
public final class TargetsScenario implements Scenario {
  static final String NAME = "targets";
  private static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/test";
  private static final String NATS = "nats://127.0.0.1:4222";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "apply rate into MariaDB, SQLite, MongoDB (wire server; real one when configured),"
        + " NATS JetStream and Kafka";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    int rows = ctx.settings().targetRows();
    CapturedJournal journal = CapturedJournal.build(ctx, "targets_src", rows);
    String table = journal.table();
    String note = String.format("%,d inserts from the journal", rows);
    int reps = ctx.settings().repetitions();

    if (mariaDbReachable(ctx)) {
      List<Double> rates = new ArrayList<>();
      for (int rep = 1; rep <= reps; rep++) {
        sql(MARIADB, "root", "DROP TABLE IF EXISTS `" + table + "`");
        rates.add(journal.replayInto(ctx, NAME, "mariadb", MARIADB, "root"));
      }
      sql(MARIADB, "root", "DROP TABLE IF EXISTS `" + table + "`");
      ctx.results().add(NAME, "mariadb", "changes/s", true, rates, note);
    }

    List<Double> sqlite = new ArrayList<>();
    for (int rep = 1; rep <= reps; rep++) {
      Path file = ctx.newDir("sqlite").resolve("target.db");
      sqlite.add(journal.replayInto(ctx, NAME, "sqlite", "jdbc:sqlite:" + file, null));
      Files.deleteIfExists(file);
    }
    ctx.results().add(NAME, "sqlite", "changes/s", true, sqlite, note);

    List<Double> wire = new ArrayList<>();
    for (int rep = 1; rep <= reps; rep++) {
      MongoServer server = new MongoServer(new MemoryBackend());
      try {
        InetSocketAddress address = server.bind();
        String url = "mongodb://127.0.0.1:" + address.getPort() + "/bench";
        wire.add(journal.replayInto(ctx, NAME, "mongo-wire", url, null));
      } finally {
        server.shutdownNow();
      }
    }
    ctx.results()
        .add(
            NAME, "mongo-wire", "changes/s", true, wire, note + " (mongo-java-server, in-process)");

    if (natsReachable(ctx)) {
      List<Double> nats = new ArrayList<>();
      for (int rep = 1; rep <= reps; rep++) {
        nats.add(journal.publishInto(ctx, NAME, "nats", NATS));
      }
      ctx.results()
          .add(
              NAME,
              "nats",
              "changes/s",
              true,
              nats,
              note + " published to NATS JetStream (" + NATS + "), acknowledged");
    }

    kafka(ctx, journal, note, reps);

    String mongoUri = System.getenv("SLUICE_BENCH_MONGO_URI");
    if (mongoUri != null && !mongoUri.isBlank()) {
      List<Double> real = new ArrayList<>();
      for (int rep = 1; rep <= reps; rep++) {
        try (var client = com.mongodb.client.MongoClients.create(mongoUri)) {
          String db = new com.mongodb.ConnectionString(mongoUri).getDatabase();
          client.getDatabase(db == null ? "test" : db).getCollection(table).drop();
        }
        real.add(journal.replayInto(ctx, NAME, "mongodb", mongoUri, null));
      }
      ctx.results()
          .add(NAME, "mongodb", "changes/s", true, real, note + " (SLUICE_BENCH_MONGO_URI)");
    } else {
      ctx.results().note("targets: no real MongoDB (SLUICE_BENCH_MONGO_URI is not set)");
    }
  }

  /** Kafka: a KRaft broker of the bench's own (a child JVM), one topic prefix per repetition. */
  private static void kafka(BenchContext ctx, CapturedJournal journal, String note, int reps)
      throws Exception {
    KafkaBroker broker;
    try {
      broker = KafkaBroker.start(ctx.newDir("kafka"));
    } catch (java.io.IOException e) {
      ctx.results().note("targets: Kafka skipped, the broker did not start: " + e.getMessage());
      return;
    }
    try (broker) {
      List<Double> kafka = new ArrayList<>();
      for (int rep = 1; rep <= reps; rep++) {
        kafka.add(journal.publishIntoKafka(ctx, NAME, "kafka", broker.url()));
      }
      ctx.results()
          .add(
              NAME,
              "kafka",
              "changes/s",
              true,
              kafka,
              note
                  + " published to Kafka (a KRaft broker in a child JVM), transactional, read"
                  + " back read_committed");
    }
  }

  private static boolean natsReachable(BenchContext ctx) {
    try (io.nats.client.Connection c = io.nats.client.Nats.connect(NATS)) {
      c.jetStreamManagement().getAccountStatistics();
      return true;
    } catch (Exception e) {
      ctx.results().note("targets: NATS skipped, JetStream not reachable at " + NATS + ": " + e);
      return false;
    }
  }

  private static boolean mariaDbReachable(BenchContext ctx) {
    try {
      sql(MARIADB, "root", "SELECT 1");
      return true;
    } catch (Exception e) {
      ctx.results()
          .note("targets: MariaDB skipped, not reachable at " + MARIADB + ": " + e.getMessage());
      return false;
    }
  }

  private static void sql(String url, String user, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
