package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} publishing a write workload into Kafka (a real KRaft broker in a child JVM),
 * killed with SIGKILL at random moments, mid-transaction as often as not: afterwards a {@code
 * read_committed} consumer sees every change of the journal exactly once, in journal order, and
 * each source transaction's BEGIN and END record once ({@code transactions: true}), and {@code
 * sluice verify} says so until records are deleted from the topic. Rounds: {@code
 * -Dsluice.test.rounds} (3 by default, 100 with {@code -Plong}).
 */
class KafkaCrashIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("kafka-crash");

  private static final String TOPIC = "crash.public.t";

  @TempDir Path dir;

  @Test
  void afterKillNineWhilePublishingReadCommittedSeesEveryChangeExactlyOnceInJournalOrder()
      throws Exception {
    int rounds = Integer.getInteger("sluice.test.rounds", 3);
    long seed = Long.getLong("sluice.test.seed", System.nanoTime());
    Random random = new Random(seed);
    PostgresCluster pg = PG.cluster();
    String database = "kafkacrash";
    pg.execute(
        "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "CREATE DATABASE " + database);
    pg.executeIn(
        database,
        Workload.TABLE,
        "INSERT INTO t(v, note) SELECT g, 'seed' FROM generate_series(1, 2000) g");
    try (KafkaBroker kafka = KafkaBroker.start(Path.of("target"))) {
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(
          config,
          """
          source: { url: '%s', slot: %s, heartbeat: 1s }
          journal: { dir: journal }
          monitor: { port: 0 }
          targets:
            events: { url: '%s', topicPrefix: crash, transactions: true }
          rules:
            - { name: to-kafka, target: events, batch: { maxEvents: 500 } }
          """
              .formatted(pg.jdbcUrl(database), database, kafka.url()));
      int run = 0;
      try (SluiceProcess sluice = start(config, ++run)) {
        FaultRig.awaitRunning(sluice);
        FaultRig.await(
            () -> safeCount(kafka) >= 2000,
            Duration.ofMinutes(2),
            () -> "the snapshot in the topic; log:\n" + sluice.log());
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
            () -> lastValue(kafka).contains("\"note\":\"last\""),
            Duration.ofMinutes(2),
            () -> "the last row in the topic; log:\n" + sluice.log());
        assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      }
      List<String> journaled = new ArrayList<>();
      // per source transaction in commit order: the changes the rule sent (it covers every table)
      Map<Long, Long> transactions = new java.util.LinkedHashMap<>();
      try (Journal journal = Journal.openReadOnly(dir.resolve("journal"));
          JournalReader entries = journal.reader()) {
        for (JournalEntry entry = entries.next(); entry != null; entry = entries.next()) {
          if (entry instanceof ChangeEvent change) {
            if (change.table().name().equals("t")) {
              journaled.add(JournalPosition.format(change.position()));
            }
            if (change.op() != dev.sluice.journal.Op.READ) {
              transactions.merge(change.txId(), 1L, Long::sum);
            }
          }
        }
      }
      List<String> published = positions(kafka);
      assertThat(published)
          .as("the topic's positions, read_committed (seed %d)", seed)
          .doesNotHaveDuplicates()
          .isEqualTo(journaled);
      // every BEGIN and END once, in commit order, each END counting its transaction's changes
      List<String> frames = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : read(kafka, "crash.transaction")) {
        var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(record.value());
        frames.add(
            body.get("status").asText()
                + " "
                + body.get("id").asText()
                + (body.get("event_count").isNull() ? "" : " " + body.get("event_count").asLong()));
      }
      List<String> expectedFrames = new ArrayList<>();
      transactions.forEach(
          (txId, count) -> {
            expectedFrames.add("BEGIN " + txId);
            expectedFrames.add("END " + txId + " " + count);
          });
      assertThat(frames)
          .as("the transaction records, read_committed (seed %d)", seed)
          .isEqualTo(expectedFrames);
      CliRun verify = CliRun.of("verify", "-c", config.toString(), "--rule", "to-kafka");
      assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
      assertThat(verify.out())
          .contains("EQUAL     public.t: ")
          .contains("rule to-kafka: the stream holds every change of the journal once");
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        admin
            .deleteRecords(Map.of(new TopicPartition(TOPIC, 0), RecordsToDelete.beforeOffset(10)))
            .all()
            .get();
      }
      CliRun lost = CliRun.of("verify", "-c", config.toString(), "--rule", "to-kafka");
      assertThat(lost.exitCode()).as(lost.out() + lost.err()).isEqualTo(1);
      assertThat(lost.out())
          .contains("DIFFERENT public.t: ")
          .contains("rule to-kafka: the stream and the journal differ");
      System.out.printf(
          "kafka crash: %d kill -9 rounds, %d transactions, %d records, seed %d%n",
          rounds, workload.transactions(), published.size(), seed);
      assertThat(workload.transactions()).as("transactions written").isGreaterThan(rounds);
    } finally {
      pg.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  private SluiceProcess start(Path config, int run) {
    return SluiceProcess.start(
        List.of("-Xmx256m"), dir.resolve("sluice-" + run + ".log"), "run", "-c", config.toString());
  }

  /** Every committed record of the table's topic, from the start. */
  private static List<ConsumerRecord<byte[], byte[]>> read(KafkaBroker kafka) {
    return read(kafka, TOPIC);
  }

  /** Every committed record of a topic of one partition, from the start. */
  private static List<ConsumerRecord<byte[], byte[]>> read(KafkaBroker kafka, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      if (!consumer.listTopics(Duration.ofSeconds(10)).containsKey(topic)) {
        return List.of();
      }
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      while (consumer.position(partition) < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  private static long safeCount(KafkaBroker kafka) {
    try {
      return read(kafka).size();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static String lastValue(KafkaBroker kafka) {
    try {
      List<ConsumerRecord<byte[], byte[]>> records = read(kafka);
      return records.isEmpty()
          ? ""
          : new String(records.get(records.size() - 1).value(), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static List<String> positions(KafkaBroker kafka) {
    List<String> positions = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : read(kafka)) {
      positions.add(
          new String(
              record.headers().lastHeader("sluice.position").value(), StandardCharsets.UTF_8));
    }
    return positions;
  }
}
