package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.Pipeline;
import dev.sluice.apply.RuleState;
import dev.sluice.apply.TargetException;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import dev.sluice.stream.internal.KafkaTarget;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rules into Kafka, end to end: a real source, capture, the journal and a real KRaft broker in a
 * child JVM (one shared by the class; a test that stops, kills or adds a broker starts brokers of
 * its own), read back by a {@code read_committed} consumer.
 */
class KafkaStreamIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("kafka-stream");

  /** Rounds of the broker-outage test: -Dsluice.test.kafkaRounds=N. */
  private static final int ROUNDS = Integer.getInteger("sluice.test.kafkaRounds", 1);

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(Path.of("target"));
    // made as an operator would, so that a rule's replicationFactor decides its tables' topics only
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("sluice-checkpoints", 1, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact"))))
          .all()
          .get();
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  /** A topic prefix and rule name of this test's own (the broker is shared by the class). */
  private static String next() {
    return "k" + COUNTER.incrementAndGet();
  }

  private static String yaml(String prefix, String extra, String rule) {
    return """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets:
          events: { url: "%s", topicPrefix: "%s", linger: 1ms%s }
        rules:
          - %s
        """
        .formatted(broker.url(), prefix, extra, rule);
  }

  private static void awaitKey(Pipeline p, String prefix, String topic, String key)
      throws InterruptedException {
    awaitKey(broker, p, prefix, topic, key);
  }

  private static void awaitKey(
      KafkaBroker broker, Pipeline p, String prefix, String topic, String key)
      throws InterruptedException {
    p.await(
        () -> {
          try {
            return KafkaMessages.read(broker.bootstrapServers(), prefix).stream()
                .anyMatch(m -> m.topic().equals(topic) && key.equals(m.key()));
          } catch (Exception e) {
            return false;
          }
        },
        "a record with key " + key + " on " + topic);
  }

  /** A topic's records in journal order (across its partitions). */
  private static List<KafkaMessages.Message> on(List<KafkaMessages.Message> all, String topic) {
    return all.stream()
        .filter(m -> m.topic().equals(topic))
        .sorted(java.util.Comparator.comparingLong(m -> JournalPosition.parse(m.position())))
        .toList();
  }

  @Test
  void everyChangeArrivesOnceInKeyOrderWithTheDebeziumEnvelopeOnItsTablesTopic() throws Exception {
    PostgresCluster pg = PG.cluster();
    String prefix = next();
    String rule = prefix + "-rule";
    try (Pipeline p = new Pipeline(pg)) {
      p.sql(
          "CREATE SCHEMA \"Odd Schema\"",
          "CREATE TABLE \"Odd Schema\".\"Odd \"\"Name\"\" \uD83D\uDE00\"(id int PRIMARY KEY,"
              + " v text, big text, n numeric)",
          "ALTER TABLE \"Odd Schema\".\"Odd \"\"Name\"\" \uD83D\uDE00\" ALTER COLUMN big SET"
              + " STORAGE EXTERNAL",
          "CREATE TABLE items(id bigint PRIMARY KEY, name text)",
          "CREATE TABLE tags(name text PRIMARY KEY)",
          "CREATE TABLE \"order-lines\"(id int PRIMARY KEY, qty int)");
      p.configure(
              yaml(
                  prefix,
                  ", partitions: 3",
                  "{ name: "
                      + rule
                      + ", target: events, mode: mirror, rename: { public.items: catalog.items"
                      + " } }"))
          .start();
      String odd = "\"Odd Schema\".\"Odd \"\"Name\"\" \uD83D\uDE00\"";
      String big = "x".repeat(9000);
      p.sql(
          "INSERT INTO tags VALUES (E'\u00fc\uD83D\uDE00\n\"')",
          "INSERT INTO items VALUES (1, 'first')",
          "INSERT INTO " + odd + " VALUES (1, 'a\uD83D\uDE00''\"', '" + big + "', NULL)",
          "UPDATE " + odd + " SET v = 'b', n = 12.340 WHERE id = 1",
          "DELETE FROM " + odd + " WHERE id = 1",
          "UPDATE items SET name = NULL WHERE id = 1",
          "BEGIN; INSERT INTO items VALUES (2, 'two'); INSERT INTO items VALUES (3, 'three');"
              + " COMMIT",
          "INSERT INTO \"order-lines\" SELECT g, g FROM generate_series(1, 50) g",
          "UPDATE \"order-lines\" SET qty = qty + 1",
          "UPDATE \"order-lines\" SET qty = NULL WHERE id % 2 = 0",
          "DELETE FROM \"order-lines\" WHERE id > 40",
          "TRUNCATE items",
          "INSERT INTO items VALUES (1000, 'last')");
      String items = prefix + ".catalog.items";
      awaitKey(p, prefix + ".", items, "{\"id\":1000}");
      List<KafkaMessages.Message> all = KafkaMessages.read(broker.bootstrapServers(), prefix + ".");

      assertThat(on(all, items))
          .extracting(KafkaMessages.Message::op, KafkaMessages.Message::key)
          .containsExactly(
              tuple("c", "{\"id\":1}"),
              tuple("u", "{\"id\":1}"),
              tuple("c", "{\"id\":2}"),
              tuple("c", "{\"id\":3}"),
              tuple("t", null),
              tuple("c", "{\"id\":1000}"));
      JsonNode first = on(all, items).get(0).value();
      assertThat(first.get("before").isNull()).isTrue();
      assertThat(first.get("after").get("name").asText()).isEqualTo("first");
      assertThat(on(all, items).get(1).value().get("after").get("name").isNull()).isTrue();
      JsonNode two = on(all, items).get(2).value();
      assertThat(two.get("source").get("db").asText()).isEqualTo(p.database);
      assertThat(two.get("source").get("schema").asText()).isEqualTo("public");
      assertThat(two.get("source").get("table").asText()).isEqualTo("items");
      assertThat(two.get("source").get("name").asText()).isEqualTo(prefix);
      assertThat(two.get("source").get("txId").asLong())
          .isEqualTo(on(all, items).get(3).value().get("source").get("txId").asLong());

      List<KafkaMessages.Message> tags = on(all, prefix + ".public.tags");
      assertThat(tags).hasSize(1);
      assertThat(KafkaMessages.JSON.readTree(tags.get(0).key()).get("name").asText())
          .isEqualTo("\u00fc\uD83D\uDE00\n\"");

      String oddTopic = prefix + ".Odd-20Schema.Odd-20-22Name-22-20-F0-9F-98-80";
      List<KafkaMessages.Message> oddMessages = on(all, oddTopic);
      assertThat(oddMessages).extracting(KafkaMessages.Message::op).containsExactly("c", "u", "d");
      JsonNode insert = oddMessages.get(0).value();
      assertThat(insert.get("after").get("v").asText()).isEqualTo("a\uD83D\uDE00'\"");
      assertThat(insert.get("after").get("big").asText()).isEqualTo(big);
      assertThat(insert.get("after").get("n").isNull()).isTrue();
      assertThat(insert.get("source").get("table").asText()).isEqualTo("Odd \"Name\" \uD83D\uDE00");
      assertThat(oddMessages.get(1).value().get("after").has("big")).isFalse();
      assertThat(oddMessages.get(1).value().get("unchanged"))
          .extracting(JsonNode::asText)
          .containsExactly("big");
      assertThat(oddMessages.get(2).value().get("before").get("id").asInt()).isEqualTo(1);
      assertThat(oddMessages.get(0).table())
          .isEqualTo("Odd%20Schema.Odd%20%22Name%22%20%F0%9F%98%80");

      // three partitions: each key's changes in its own partition, in order
      List<KafkaMessages.Message> lines = on(all, prefix + ".public.order-2Dlines");
      assertThat(lines).hasSize(50 + 50 + 25 + 10);
      assertThat(lines.stream().map(KafkaMessages.Message::partition).distinct().count())
          .isGreaterThan(1);
      Map<String, List<String>> perKey = new HashMap<>();
      for (KafkaMessages.Message m : lines) {
        perKey.computeIfAbsent(m.key(), k -> new java.util.ArrayList<>()).add(m.op());
      }
      assertThat(perKey).hasSize(50);
      assertThat(perKey.get("{\"id\":2}")).containsExactly("c", "u", "u");
      assertThat(perKey.get("{\"id\":41}")).containsExactly("c", "u", "d");
      assertThat(perKey.get("{\"id\":1}")).containsExactly("c", "u");
      for (List<KafkaMessages.Message> byPartition :
          all.stream()
              .filter(m -> m.topic().equals(prefix + ".public.order-2Dlines"))
              .collect(Collectors.groupingBy(KafkaMessages.Message::partition))
              .values()) {
        assertThat(byPartition.stream().map(m -> JournalPosition.parse(m.position())).toList())
            .isSorted();
      }

      Set<String> positions = new HashSet<>();
      for (KafkaMessages.Message m : all) {
        assertThat(positions.add(m.position())).as("%s twice", m.position()).isTrue();
        assertThat(m.rule()).isEqualTo(rule);
        assertThat(Long.parseLong(m.commit())).isPositive();
      }
      assertThat(p.status(rule).state()).isEqualTo(RuleState.RUNNING);
      assertThat(
              KafkaMessages.read(broker.bootstrapServers(), "sluice-checkpoints").stream()
                  .filter(m -> (prefix + "/" + rule).equals(m.key())))
          .isNotEmpty();
    }
  }

  @Test
  void cloudEventsWithTransactionRecordsFrameEachTransactionForAReadCommittedConsumer()
      throws Exception {
    String prefix = next();
    String rule = prefix + "-rule";
    String odd = "\"Odd Schema\".\"Odd \"\"Tx\"\" \uD83D\uDE00\"";
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.sql(
          "CREATE SCHEMA IF NOT EXISTS \"Odd Schema\"",
          "CREATE TABLE " + odd + "(id int PRIMARY KEY, v text)",
          "CREATE TABLE tx_items(id bigint PRIMARY KEY, name text)",
          "CREATE TABLE tx_other(id int PRIMARY KEY)",
          "INSERT INTO tx_items VALUES (0, 'snapshot')");
      p.configure(
              yaml(
                  prefix,
                  ", partitions: 2, format: cloudevents, transactions: true",
                  "{ name: "
                      + rule
                      + ", target: events, mode: cdc, tables: [public.tx_items, \"Odd"
                      + " Schema.*\"] }"))
          .start();
      awaitKey(p, prefix, prefix + ".public.tx_items", "{\"id\":0}");
      p.sql(
          "BEGIN; INSERT INTO tx_items VALUES (1, 'a''\"\uD83D\uDE00'); INSERT INTO "
              + odd
              + " VALUES (1, 'x'); UPDATE tx_items SET name = NULL WHERE id = 1;"
              + " INSERT INTO tx_other VALUES (1); COMMIT",
          "INSERT INTO tx_other VALUES (2)",
          "BEGIN; COMMIT",
          "TRUNCATE tx_items",
          "INSERT INTO tx_items VALUES (1000, 'last')");
      p.await(
          () -> {
            try {
              return on(
                          KafkaMessages.read(broker.bootstrapServers(), prefix),
                          prefix + ".transaction")
                      .size()
                  == 6;
            } catch (Exception e) {
              return false;
            }
          },
          "three BEGIN and three END records");

      // across topics and partitions, in journal order: a BEGIN shares its first change's
      // position and goes before it, an END shares the transaction's last change's and goes after
      List<KafkaMessages.Message> all =
          KafkaMessages.read(broker.bootstrapServers(), prefix).stream()
              .sorted(
                  java.util.Comparator.comparingLong(
                          (KafkaMessages.Message m) -> JournalPosition.parse(m.position()))
                      .thenComparingInt(
                          m ->
                              "begin".equals(m.transaction())
                                  ? 0
                                  : "end".equals(m.transaction()) ? 2 : 1))
              .toList();
      assertThat(all)
          .extracting(m -> m.value().get("type").asText())
          .containsExactly(
              "dev.sluice.change.read",
              "dev.sluice.transaction.begin",
              "dev.sluice.change.insert",
              "dev.sluice.change.insert",
              "dev.sluice.change.update",
              "dev.sluice.transaction.end",
              "dev.sluice.transaction.begin",
              "dev.sluice.change.truncate",
              "dev.sluice.transaction.end",
              "dev.sluice.transaction.begin",
              "dev.sluice.change.insert",
              "dev.sluice.transaction.end");
      assertThat(all)
          .allSatisfy(
              m -> {
                assertThat(m.value().get("specversion").asText()).isEqualTo("1.0");
                assertThat(m.value().get("source").asText()).isEqualTo("/sluice/" + p.database);
                assertThat(m.value().get("sluiceposition").asText()).isEqualTo(m.position());
                assertThat(m.rule()).isEqualTo(rule);
              });
      assertThat(all.stream().map(m -> m.value().get("id").asText()).distinct().count())
          .isEqualTo(all.size());

      KafkaMessages.Message begin = all.get(1);
      assertThat(begin.topic()).isEqualTo(prefix + ".transaction");
      String txId = begin.value().get("data").get("id").asText();
      assertThat(begin.key()).isEqualTo("{\"id\":\"" + txId + "\"}");
      assertThat(begin.value().get("id").asText())
          .isEqualTo(rule + ":" + all.get(2).position() + ":begin");
      assertThat(all.get(2).key()).isEqualTo("{\"id\":1}");
      assertThat(all.get(2).value().get("data").get("after").get("name").asText())
          .isEqualTo("a'\"\uD83D\uDE00");
      assertThat(all.get(4).value().get("data").get("transaction").toString())
          .isEqualTo("{\"id\":\"" + txId + "\",\"total_order\":3,\"data_collection_order\":2}");
      JsonNode end = all.get(5).value().get("data");
      assertThat(end.get("status").asText()).isEqualTo("END");
      assertThat(end.get("event_count").asInt()).isEqualTo(3);
      assertThat(end.get("data_collections").toString())
          .isEqualTo(
              "[{\"data_collection\":\"public.tx_items\",\"event_count\":2},"
                  + "{\"data_collection\":\"Odd Schema.Odd \\\"Tx\\\" \uD83D\uDE00\","
                  + "\"event_count\":1}]");
      assertThat(all.get(8).value().get("data").get("event_count").asInt()).isEqualTo(1);
      // verify's count: changes only, transaction records left out
      try (var target =
          dev.sluice.stream.internal.KafkaTarget.inspect(
              p.config.targets().get("events"), rule + "-reader", p.database)) {
        assertThat(target.held(0, Long.MAX_VALUE)).isEmpty();
      }
      try (var target =
          dev.sluice.stream.internal.KafkaTarget.inspect(
              p.config.targets().get("events"), rule, p.database)) {
        assertThat(
                target.held(0, Long.MAX_VALUE).values().stream().mapToLong(h -> h.messages()).sum())
            .isEqualTo(6);
      }
    }
  }

  @Test
  void readingARuleBackLeavesItsProducerAndOpenTransactionAloneWhereASecondProducerFencesItOff()
      throws Exception {
    String prefix = next();
    String rule = prefix + "-rule";
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.configure(yaml(prefix, "", "{ name: " + rule + ", target: events }"));
      TargetConfig events = p.config.targets().get("events");
      try (KafkaTarget publishing = KafkaTarget.connect(events, rule, p.database)) {
        publishing.send(change(1), null);
        // what sluice status reads, through the target factory, while the rule runs
        assertThat(Checkpoint.read(events, rule)).isEmpty();
        // what sluice verify opens
        try (KafkaTarget reading = KafkaTarget.inspect(events, rule, p.database)) {
          assertThat(reading.checkpoint()).isEmpty();
          assertThatThrownBy(() -> reading.send(change(2), null))
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("inspect only");
        }
        publishing.commit(new Checkpoint(change(1).position(), 7, 8));
        try (KafkaTarget reading = KafkaTarget.inspect(events, rule, p.database)) {
          assertThat(reading.checkpoint()).contains(new Checkpoint(change(1).position(), 7, 8));
          assertThat(reading.held(0, Long.MAX_VALUE))
              .containsOnlyKeys(new TableName("public", "items"));
        }
        try (KafkaTarget second = KafkaTarget.connect(events, rule, p.database)) {
          assertThatThrownBy(
                  () -> {
                    publishing.send(change(2), null);
                    publishing.commit(new Checkpoint(change(2).position(), 9, 9));
                  })
              .isInstanceOf(TargetException.class)
              // fenced: ProducerFencedException, or under transactions version 2 an old epoch
              .hasMessageMatching("(?s).*(ProducerFenced|InvalidProducerEpoch).*");
        }
      }
    }
  }

  /**
   * A hanging transaction made as Kafka 4.x brokers make one (KAFKA-20734): a transaction ends
   * while the partitions it wrote have no leader (their broker, one of two, is down), so its
   * coordinator skips their markers. The rule and verify name it with its partitions and the
   * commands that abort it; once they have run, the rule reads its checkpoint again.
   */
  @Test
  void aHangingTransactionIsNamedWithItsPartitionsAndCommandsAndOnceAbortedTheRuleGoesOn()
      throws Exception {
    String prefix = next();
    String rule = prefix + "-rule";
    String items = prefix + ".public.items";
    try (KafkaBroker first = KafkaBroker.start(Path.of("target"));
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrapServers()));
        var stray =
            new KafkaProducer<String, String>(
                Map.of(
                    "bootstrap.servers",
                    first.bootstrapServers(),
                    "transactional.id",
                    "stray-" + prefix,
                    "key.serializer",
                    "org.apache.kafka.common.serialization.StringSerializer",
                    "value.serializer",
                    "org.apache.kafka.common.serialization.StringSerializer"));
        Pipeline p = new Pipeline(PG.cluster())) {
      // the coordinator on node 1 (broker and controller), made while it is the only broker
      stray.initTransactions();
      try (KafkaBroker second = first.startSecond()) {
        for (String topic : List.of("sluice-checkpoints", items)) {
          admin
              .createTopics(
                  List.of(
                      new NewTopic(topic, Map.of(0, List.of(second.nodeId())))
                          .configs(
                              topic.equals(items)
                                  ? Map.of()
                                  : Map.of("cleanup.policy", "compact"))))
              .all()
              .get();
        }
        p.configure(
            """
          source: { url: "${SOURCE_URL}", slot: "${SLOT}" }
          journal: { dir: "${DIR}/journal" }
          targets:
            events: { url: "kafka://%s,%s", topicPrefix: "%s", connectTimeout: 2s }
          rules:
            - { name: %s, target: events }
          """
                .formatted(first.bootstrapServers(), second.bootstrapServers(), prefix, rule));
        TargetConfig events = p.config.targets().get("events");
        Checkpoint before = new Checkpoint(change(1).position(), 7, 8);
        try (KafkaTarget publishing = KafkaTarget.connect(events, rule, p.database)) {
          publishing.send(change(1), null);
          publishing.commit(before);
        }

        // the commit's markers reach the partitions after commitTransaction returns: wait for them
        p.await(
            () -> {
              try {
                for (String topic : List.of(items, "sluice-checkpoints")) {
                  var partition = new TopicPartition(topic, 0);
                  var spec = Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest());
                  long committed =
                      admin
                          .listOffsets(
                              spec,
                              new ListOffsetsOptions(
                                  org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
                          .partitionResult(partition)
                          .get()
                          .offset();
                  if (committed
                      != admin.listOffsets(spec).partitionResult(partition).get().offset()) {
                    return false;
                  }
                }
                return true;
              } catch (Exception e) {
                return false;
              }
            },
            "the rule's commit markers");
        stray.beginTransaction();
        stray.send(new ProducerRecord<>("sluice-checkpoints", "stray", "x"));
        stray.send(new ProducerRecord<>(items, "stray", "x"));
        stray.flush();
        second.kill();
        p.await(
            () -> {
              try {
                return admin
                    .describeTopics(List.of(items, "sluice-checkpoints"))
                    .allTopicNames()
                    .get()
                    .values()
                    .stream()
                    .allMatch(
                        t ->
                            t.partitions().get(0).leader() == null
                                || t.partitions().get(0).leader().isEmpty());
              } catch (Exception e) {
                return false;
              }
            },
            "the partitions of the broker that is away to have no leader");
        stray.commitTransaction(); // their markers are skipped: the transaction hangs there
        second.start();

        String servers = first.bootstrapServers() + "," + second.bootstrapServers();
        String error;
        try (KafkaTarget publishing = KafkaTarget.connect(events, rule, p.database)) {
          error =
              org.assertj.core.api.Assertions.catchThrowableOfType(
                      TargetException.class, publishing::checkpoint)
                  .getMessage();
        }
        assertThat(error)
            .startsWith("target events (kafka://" + servers + "): hanging transactions hold ")
            .contains(items + "-0 at offset 2")
            .contains("sluice-checkpoints-0 at offset")
            .contains("transactional id stray-" + prefix)
            .contains("KAFKA-20734")
            .contains(
                "kafka-transactions.sh --bootstrap-server "
                    + servers
                    + " abort --topic sluice-checkpoints --partition 0 --producer-id ")
            .contains("abort --topic " + items + " --partition 0");
        try (KafkaTarget reading = KafkaTarget.inspect(events, rule, p.database)) {
          assertThatThrownBy(() -> reading.held(0, Long.MAX_VALUE))
              .isInstanceOf(TargetException.class)
              .hasMessageContaining("a hanging transaction holds " + items + "-0 at offset 2 (");
        }

        assertThat(abortAsTold(admin, error)).isEqualTo(2);
        try (KafkaTarget publishing = KafkaTarget.connect(events, rule, p.database)) {
          assertThat(publishing.checkpoint()).contains(before);
          assertThat(publishing.held(0, Long.MAX_VALUE))
              .containsExactly(
                  Map.entry(
                      new TableName("public", "items"),
                      new dev.sluice.apply.StreamTarget.Held(1, before.position())));
        }
      }
    }
  }

  /** An insert into {@code public.items} at journal position {@code 1:n}. */
  private static ChangeEvent change(int n) {
    TableSchema items =
        new TableSchema(
            2,
            new TableName("public", "items"),
            List.of(new Column("id", "bigint", ValueKind.INT64, null, 0, false, List.of())),
            ReplicaIdentity.DEFAULT);
    return new ChangeEvent(
            JournalPosition.parse("1:" + n),
            items,
            Op.INSERT,
            null,
            new Object[] {(long) n},
            10L + n,
            new SourcePosition(1, 0, 0x1000L + n, 0),
            0,
            1_700_000_000_000_000L,
            0)
        .asLastInTransaction(0x2000L + n);
  }

  @Test
  void aTopicThatCannotBeCreatedPausesTheRuleWithAnErrorNamingTheTopicAndTheCause()
      throws Exception {
    String prefix = next();
    String rule = prefix + "-rule";
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.failFast = false;
      p.sql("CREATE TABLE \"Wide Table\"(id int PRIMARY KEY)");
      p.configure(
              yaml(
                  prefix,
                  ", replicationFactor: 3",
                  "{ name: " + rule + ", target: events, tables: [public.\"Wide Table\"] }"))
          .start();
      p.sql("INSERT INTO \"Wide Table\" VALUES (1)");
      p.await(() -> p.status(rule).state() == RuleState.RETRYING, "the rule to pause");
      assertThat(p.status(rule).lastError())
          .contains("target events")
          .contains("cannot create topic " + prefix + ".public.Wide-20Table")
          .contains("InvalidReplicationFactorException")
          .contains("replication factor");
      assertThat(p.status(rule).lagChanges()).isPositive();
    }
  }

  @Test
  void aTableWhoseTopicWouldBeLongerThanKafkaAllowsStopsTheRuleWithAnErrorNamingTheFix()
      throws Exception {
    String rule = next() + "-rule";
    String prefix = rule + "." + "p".repeat(150);
    String table = "\uD83D\uDE00".repeat(15); // 60 bytes: 180 characters escaped
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.failFast = false;
      p.sql("CREATE TABLE \"" + table + "\"(id int PRIMARY KEY)");
      p.configure(yaml(prefix, "", "{ name: " + rule + ", target: events }")).start();
      p.sql("INSERT INTO \"" + table + "\" VALUES (1)");
      p.await(() -> p.status(rule).state() == RuleState.FAILED, "the rule to stop");
      assertThat(p.status(rule).lastError())
          .contains("target events")
          .contains("the topic of table public.\"" + table + "\"")
          .contains("more than Kafka's 249")
          .contains("rename");
    }
  }

  @Test
  void aBrokerKilledForThirtySecondsUnderLoadPausesOnlyItsRuleAndEveryChangeArrivesOnce()
      throws Exception {
    // a broker of its own: a restart must not leave the class's broker behind for other tests
    try (KafkaBroker own = KafkaBroker.start(Path.of("target"))) {
      for (int round = 1; round <= ROUNDS; round++) {
        brokerOutageRound(own, false);
      }
    }
  }

  /**
   * A broker stopped as an operator stops it (SIGTERM: a controlled shutdown), round after round.
   * Long: -Plong, with -Dsluice.test.kafkaRounds=N for more rounds than 5.
   */
  @Test
  void aBrokerShutDownUnderLoadLeavesNothingLostOrTwiceEvenWhenItLeavesAHangingTransaction()
      throws Exception {
    assumeTrue(Boolean.getBoolean("sluice.test.long"), "rounds of controlled shutdowns: -Plong");
    try (KafkaBroker own = KafkaBroker.start(Path.of("target"))) {
      for (int round = 1; round <= Math.max(ROUNDS, 5); round++) {
        brokerOutageRound(own, true);
      }
    }
  }

  /**
   * Load on one table, the broker away for 30 s (-Dsluice.test.kafkaOutageMillis) while a SQLite
   * rule goes on, then every change once on Kafka. A Kafka 4.x broker can leave a hanging
   * transaction (KAFKA-20734) when a commit ends as it shuts down, or when it restarts after a kill
   * with a commit half done: the rule must then name it, with the commands, and after they have run
   * (as an operator runs them) every change still arrives exactly once.
   *
   * @param controlled SIGTERM, else SIGKILL
   */
  private void brokerOutageRound(KafkaBroker own, boolean controlled) throws Exception {
    String prefix = next();
    String rule = prefix + "-rule";
    long outageMillis = Long.getLong("sluice.test.kafkaOutageMillis", 30_000);
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.sql("CREATE TABLE t(id int PRIMARY KEY, v text)");
      p.configure(
              """
              source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
              journal: { dir: "${DIR}/journal" }
              targets:
                events: { url: "%s", topicPrefix: "%s", connectTimeout: 2s }
                lite: { url: "jdbc:sqlite:${DIR}/lite.db" }
              rules:
                - { name: %s, target: events, tables: [public.t], batch: { maxEvents: 200 } }
                - { name: to-lite, target: lite, tables: [public.t] }
              """
                  .formatted(own.url(), prefix, rule))
          .start();
      p.failFast = false;
      AtomicInteger written = new AtomicInteger();
      Thread load =
          new Thread(
              () -> {
                try (Connection c = PG.cluster().connect(p.database)) {
                  for (int i = 1; i <= 3000; i++) {
                    c.createStatement().execute("INSERT INTO t VALUES (" + i + ", 'v') ");
                    if (i % 3 == 0) {
                      c.createStatement().execute("UPDATE t SET v = 'u' WHERE id = " + (i - 1));
                    }
                    written.set(i);
                    Thread.sleep(i < 2000 ? 15 : 0);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      load.start();
      p.await(() -> written.get() >= 200, "the load to start");
      if (controlled) {
        own.stop();
      } else {
        own.kill();
      }
      long stoppedAt = System.nanoTime();
      p.await(() -> p.status(rule).state() == RuleState.RETRYING, "the Kafka rule to be paused");
      assertThat(p.status("to-lite").state()).isEqualTo(RuleState.RUNNING);
      long rest = outageMillis - (System.nanoTime() - stoppedAt) / 1_000_000;
      if (rest > 0) {
        Thread.sleep(rest);
      }
      assertThat(p.status(rule).lagChanges()).isPositive();
      assertThat(p.status("to-lite").state()).isEqualTo(RuleState.RUNNING);
      own.start();
      load.join();
      String lite = "jdbc:sqlite:" + p.dir.resolve("lite.db");
      p.await(() -> count(lite) == 3000, "the SQLite target to get every row");
      // caught up, or held by a hanging transaction that the rule names (after its 75 s wait)
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(240);
      while (!(p.status(rule).state() == RuleState.RUNNING && p.status(rule).lagChanges() == 0)) {
        String error = p.status(rule).lastError();
        if (error != null && error.contains("hanging transaction")) {
          assertThat(error).contains("KAFKA-20734").contains(prefix + ".public.t-0");
          int aborted;
          try (Admin admin =
              Admin.create(
                  Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, own.bootstrapServers()))) {
            aborted = abortAsTold(admin, error);
          }
          assertThat(aborted).as("the commands in: %s", error).isPositive();
          System.out.println("aborted " + aborted + " hanging partitions as told: " + error);
          deadline = java.time.Instant.now().plusSeconds(240);
          p.await(
              () -> !String.valueOf(p.status(rule).lastError()).contains("hanging transaction"),
              "the rule to go past the hanging transaction");
        }
        assertThat(java.time.Instant.now())
            .as("the Kafka rule to resume and catch up: %s", p.status(rule))
            .isBefore(deadline);
        Thread.sleep(200);
      }
      awaitKey(own, p, prefix + ".", prefix + ".public.t", "{\"id\":3000}");
      List<KafkaMessages.Message> messages =
          KafkaMessages.read(own.bootstrapServers(), prefix + ".");
      assertThat(messages).hasSize(3000 + 1000);
      Set<String> positions = new HashSet<>();
      for (KafkaMessages.Message m : messages) {
        assertThat(positions.add(m.position())).as("%s twice", m.position()).isTrue();
      }
      assertThat(messages.stream().filter(m -> m.op().equals("c")).map(m -> m.key()).distinct())
          .hasSize(3000);
    }
  }

  private static final java.util.regex.Pattern ABORT =
      java.util.regex.Pattern.compile(
          "abort --topic (\\S+) --partition (\\d+) --producer-id (\\d+) --producer-epoch (\\d+)"
              + " --coordinator-epoch (-?\\d+)");

  /**
   * Does what an operator does with the commands of a hanging-transaction error: aborts each
   * partition's transaction as the command names it (here through the admin client, as {@code
   * kafka-transactions.sh} does).
   *
   * @return how many commands there were
   */
  private static int abortAsTold(Admin admin, String error) throws Exception {
    Matcher abort = ABORT.matcher(error);
    int aborted = 0;
    while (abort.find()) {
      admin
          .abortTransaction(
              new AbortTransactionSpec(
                  new TopicPartition(abort.group(1), Integer.parseInt(abort.group(2))),
                  Long.parseLong(abort.group(3)),
                  Short.parseShort(abort.group(4)),
                  Integer.parseInt(abort.group(5))))
          .all()
          .get();
      aborted++;
    }
    return aborted;
  }

  private static long count(String url) {
    try (Connection c = DriverManager.getConnection(url);
        ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
      return r.next() ? r.getLong(1) : 0;
    } catch (Exception e) {
      return -1;
    }
  }
}
