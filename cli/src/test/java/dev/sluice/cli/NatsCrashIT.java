package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} publishing a write workload into NATS JetStream, killed with SIGKILL at random
 * moments: afterwards the stream holds every change of the journal exactly once, in journal order
 * (so no transaction is cut short or repeated), and {@code sluice verify} says so until a message
 * is deleted from the stream. Rounds: {@code -Dsluice.test.rounds} (3 by default, 100 with {@code
 * -Plong}).
 */
class NatsCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("nats-crash");

  @TempDir Path dir;

  @Test
  void afterKillNineWhilePublishingTheStreamHoldsEveryChangeExactlyOnceInJournalOrder()
      throws Exception {
    killWhilePublishing(false);
  }

  /**
   * With {@code transactions: true}: besides every change once, every source transaction of the
   * journal is framed once, its BEGIN right before its first change and its END right after its
   * last, counting them, whatever moment the sidecar was killed at.
   */
  @Test
  void afterKillNineWithTransactionMessagesEveryTransactionIsFramedExactlyOnce() throws Exception {
    killWhilePublishing(true);
  }

  private void killWhilePublishing(boolean transactions) throws Exception {
    int rounds = Integer.getInteger("sluice.test.rounds", 3);
    long seed = Long.getLong("sluice.test.seed", System.nanoTime());
    Random random = new Random(seed);
    PostgresCluster pg = PG.cluster();
    String database = "natscrash";
    pg.execute(
        "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "CREATE DATABASE " + database);
    pg.executeIn(
        database,
        Workload.TABLE,
        "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 2000) g");
    try (NatsServer nats = NatsServer.start();
        Connection reader = Nats.connect(nats.url())) {
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          source: { url: '%s', slot: %s, heartbeat: 1s }
          journal: { dir: journal }
          monitor: { port: 0 }
          targets:
            bus: { url: '%s', stream: CRASH, subjectPrefix: crash, transactions: %s }
          rules:
            - { name: to-bus, target: bus, batch: { maxEvents: 500 } }
          """
              .formatted(pg.jdbcUrl(database), database, nats.url(), transactions));
      JetStreamManagement stream = reader.jetStreamManagement();
      int run = 0;
      try (SluiceProcess sluice = start(config, ++run)) {
        FaultRig.awaitRunning(sluice);
        FaultRig.await(
            () -> count(stream) >= 2000,
            Duration.ofMinutes(2),
            () -> "the snapshot in the stream; log:\n" + sluice.log());
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      Workload workload = Workload.start(pg, database, random.nextLong());
      try {
        for (int round = 1; round <= rounds; round++) {
          try (SluiceProcess sluice = start(config, ++run)) {
            FaultRig.awaitRunning(sluice);
            Thread.sleep(200 + random.nextInt(3_000)); // a random moment under load
            assertThat(sluice.isAlive())
                .as("sluice died in round %d (seed %d); log:\n%s", round, seed, sluice.log())
                .isTrue();
            sluice.kill();
          }
        }
      } finally {
        workload.close();
      }
      try (SluiceProcess sluice = start(config, ++run)) {
        FaultRig.awaitRunning(sluice);
        pg.executeIn(database, "INSERT INTO t(v, note) VALUES (-1, 'last')");
        FaultRig.await(
            () -> lastNote(stream).contains("\"note\":\"last\""),
            Duration.ofMinutes(2),
            () -> "the last row in the stream; log:\n" + sluice.log());
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      List<String> journaled = new ArrayList<>();
      // what the stream must hold with transaction messages: B<txid>, each change's position,
      // E<txid>:<count>, in journal order
      List<String> framed = new ArrayList<>();
      try (Journal journal = Journal.openReadOnly(dir.resolve("journal"));
          JournalReader entries = journal.reader()) {
        long open = -1;
        int count = 0;
        for (JournalEntry entry = entries.next(); entry != null; entry = entries.next()) {
          if (!(entry instanceof ChangeEvent change)) {
            continue;
          }
          boolean sent = change.table().name().equals("t");
          if (sent) {
            journaled.add(JournalPosition.format(change.position()));
            if (change.op() != dev.sluice.journal.Op.READ && open != change.txId()) {
              open = change.txId();
              count = 0;
              framed.add("B" + open);
            }
            framed.add(JournalPosition.format(change.position()));
            count++;
          }
          if (change.isLastInTransaction() && open == change.txId()) {
            framed.add("E" + open + ":" + count);
            open = -1;
          }
        }
      }
      if (transactions) {
        assertThat(framing(stream))
            .as("the stream's changes and transaction messages (seed %d)", seed)
            .isEqualTo(framed);
      }
      List<String> published = positions(stream);
      assertThat(published)
          .as("the stream's positions (seed %d)", seed)
          .doesNotHaveDuplicates()
          .isEqualTo(journaled);
      CliRun verify = CliRun.of("verify", "-c", config.toString(), "--rule", "to-bus");
      assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
      assertThat(verify.out())
          .contains("EQUAL     public.t: ")
          .contains("rule to-bus: the stream holds every change of the journal once");
      long tenth = stream.getNextMessage("CRASH", 10, "crash.public.t").getSeq();
      assertThat(stream.deleteMessage("CRASH", tenth)).isTrue();
      CliRun lost = CliRun.of("verify", "-c", config.toString(), "--rule", "to-bus");
      assertThat(lost.exitCode()).as(lost.out() + lost.err()).isEqualTo(1);
      assertThat(lost.out())
          .contains("DIFFERENT public.t: ")
          .contains("rule to-bus: the stream and the journal differ");
      String figures =
          "nats crash%s: %d kill -9 rounds, %d transactions, %d messages, seed %d%n"
              .formatted(
                  transactions ? " (transaction messages)" : "",
                  rounds,
                  workload.transactions(),
                  published.size(),
                  seed);
      System.out.print(figures);
      assertThat(workload.transactions()).as("transactions written").isGreaterThan(rounds);
    } finally {
      pg.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private SluiceProcess start(Path config, int run) {
    // a log of each run's own: a line of an earlier run never passes for this one's
    return SluiceProcess.start(
        List.of("-Xmx256m"), dir.resolve("sluice-" + run + ".log"), "run", "-c", config.toString());
  }

  private static long count(JetStreamManagement stream) {
    try {
      return stream.getStreamInfo("CRASH").getStreamState().getMsgCount();
    } catch (Exception e) {
      return 0;
    }
  }

  private static String lastNote(JetStreamManagement stream) {
    try {
      return new String(stream.getLastMessage("CRASH", "crash.public.t").getData());
    } catch (Exception e) {
      return "";
    }
  }

  /** The stream in order: B<txid> for a BEGIN, a change's position, E<txid>:<count> for an END. */
  private static List<String> framing(JetStreamManagement stream) throws Exception {
    List<String> out = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    long next = 1;
    while (true) {
      MessageInfo message;
      try {
        message = stream.getNextMessage("CRASH", next, "crash.>");
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == 10037) {
          return out;
        }
        throw e;
      }
      next = message.getSeq() + 1;
      assertThat(ids.add(message.getHeaders().getFirst("Nats-Msg-Id")))
          .as("message %d's id is new", message.getSeq())
          .isTrue();
      String kind = message.getHeaders().getFirst("sluice.transaction");
      String txId = message.getHeaders().getFirst("sluice.txid");
      if ("begin".equals(kind)) {
        out.add("B" + txId);
      } else if ("end".equals(kind)) {
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(message.getData());
        assertThat(body.get("data_collections").get(0).get("event_count").asInt())
            .isEqualTo(body.get("event_count").asInt());
        out.add("E" + txId + ":" + body.get("event_count").asInt());
      } else {
        out.add(message.getHeaders().getFirst("sluice.position"));
      }
    }
  }

  private static List<String> positions(JetStreamManagement stream) throws Exception {
    List<String> positions = new ArrayList<>();
    long next = 1;
    while (true) {
      MessageInfo message;
      try {
        message = stream.getNextMessage("CRASH", next, "crash.public.t");
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == 10037) {
          return positions;
        }
        throw e;
      }
      positions.add(message.getHeaders().getFirst("sluice.position"));
      next = message.getSeq() + 1;
    }
  }
}
