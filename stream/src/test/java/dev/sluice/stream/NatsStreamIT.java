package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.apply.Pipeline;
import dev.sluice.apply.RuleState;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rules into NATS JetStream, end to end: a real source, capture, the journal and the machine's NATS
 * server (or one of the test's own where the broker is taken away), read back message by message.
 */
class NatsStreamIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("nats-stream");

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String TAG = "t" + ProcessHandle.current().pid();
  private static StreamMessages shared;
  private static final List<String> streams = new ArrayList<>();

  @BeforeAll
  static void connect() throws Exception {
    shared = new StreamMessages(NatsServer.SHARED_URL);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    for (String stream : streams) {
      shared.deleteStream(stream);
    }
    shared.close();
  }

  /** A stream name and subject prefix of this test's own. */
  private static String[] newStream() {
    int n = COUNTER.incrementAndGet();
    String stream = ("SLUICE_" + TAG + "_" + n).toUpperCase(java.util.Locale.ROOT);
    streams.add(stream);
    return new String[] {stream, TAG + ".n" + n};
  }

  private static String yaml(String url, String stream, String prefix, String rule) {
    return """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets:
          bus: { url: "%s", stream: %s, subjectPrefix: "%s" }
        rules:
          - %s
        """
        .formatted(url, stream, prefix, rule);
  }

  private static void awaitMessage(
      Pipeline p, StreamMessages reader, String stream, String subject, String key)
      throws InterruptedException {
    p.await(
        () -> {
          try {
            return reader.read(stream, subject).stream().anyMatch(m -> key.equals(m.key()));
          } catch (Exception e) {
            return false;
          }
        },
        "a message with key " + key + " on " + subject);
  }

  @Test
  void everyChangeArrivesOnceInOrderWithTheDebeziumEnvelopeOnItsTablesSubject() throws Exception {
    PostgresCluster pg = PG.cluster();
    String[] s = newStream();
    String stream = s[0];
    String prefix = s[1];
    try (Pipeline p = new Pipeline(pg)) {
      p.sql(
          "CREATE SCHEMA \"Odd Schema\"",
          "CREATE TABLE \"Odd Schema\".\"Odd \"\"Name\"\" \uD83D\uDE00\"(id int PRIMARY KEY,"
              + " v text, big text, n numeric)",
          "ALTER TABLE \"Odd Schema\".\"Odd \"\"Name\"\" \uD83D\uDE00\" ALTER COLUMN big SET"
              + " STORAGE EXTERNAL",
          "CREATE TABLE items(id bigint PRIMARY KEY, name text)",
          "CREATE TABLE tags(name text PRIMARY KEY)");
      p.configure(
              yaml(
                  NatsServer.SHARED_URL,
                  stream,
                  prefix,
                  "{ name: to-bus, target: bus, mode: mirror, rename: { public.items: catalog.items"
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
          "TRUNCATE items",
          "INSERT INTO items VALUES (1000, 'last')");
      awaitMessage(p, shared, stream, prefix + ".catalog.items", "{\"id\":1000}");

      List<StreamMessages.Message> items = shared.read(stream, prefix + ".catalog.items");
      assertThat(items)
          .extracting(StreamMessages.Message::op, StreamMessages.Message::key)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("c", "{\"id\":1}"),
              org.assertj.core.groups.Tuple.tuple("u", "{\"id\":1}"),
              org.assertj.core.groups.Tuple.tuple("c", "{\"id\":2}"),
              org.assertj.core.groups.Tuple.tuple("c", "{\"id\":3}"),
              org.assertj.core.groups.Tuple.tuple("t", null),
              org.assertj.core.groups.Tuple.tuple("c", "{\"id\":1000}"));
      JsonNode first = items.get(0).value();
      assertThat(first.get("before").isNull()).isTrue();
      assertThat(first.get("after").get("name").asText()).isEqualTo("first");
      assertThat(first.get("source").get("snapshot").asText()).isEqualTo("false");
      JsonNode nulled = items.get(1).value();
      assertThat(nulled.get("after").has("name")).isTrue();
      assertThat(nulled.get("after").get("name").isNull()).isTrue();
      JsonNode two = items.get(2).value();
      JsonNode three = items.get(3).value();
      assertThat(two.get("source").get("txId").asLong())
          .isPositive()
          .isEqualTo(three.get("source").get("txId").asLong());
      assertThat(three.get("source").get("lsn").asLong())
          .isGreaterThan(two.get("source").get("lsn").asLong());
      assertThat(two.get("source").get("db").asText()).isEqualTo(p.database);
      assertThat(two.get("source").get("schema").asText()).isEqualTo("public");
      assertThat(two.get("source").get("table").asText()).isEqualTo("items");
      assertThat(two.get("source").get("connector").asText()).isEqualTo("postgresql");
      assertThat(two.get("source").get("ts_ms").asLong()).isPositive();
      assertThat(two.get("ts_ms").asLong())
          .isGreaterThanOrEqualTo(two.get("source").get("ts_ms").asLong());
      JsonNode truncate = items.get(4).value();
      assertThat(truncate.get("before").isNull()).isTrue();
      assertThat(truncate.get("after").isNull()).isTrue();

      List<StreamMessages.Message> tags = shared.read(stream, prefix + ".public.tags");
      assertThat(tags).hasSize(1);
      assertThat(StreamMessages.JSON.readTree(tags.get(0).key()).get("name").asText())
          .isEqualTo("\u00fc\uD83D\uDE00\n\"");

      String oddSubject = prefix + ".Odd%20Schema.Odd%20%22Name%22%20%F0%9F%98%80";
      List<StreamMessages.Message> oddMessages = shared.read(stream, oddSubject);
      assertThat(oddMessages).extracting(StreamMessages.Message::op).containsExactly("c", "u", "d");
      JsonNode insert = oddMessages.get(0).value();
      assertThat(insert.get("after").get("v").asText()).isEqualTo("a\uD83D\uDE00'\"");
      assertThat(insert.get("after").get("big").asText()).isEqualTo(big);
      assertThat(insert.get("after").get("n").isNull()).isTrue();
      assertThat(insert.get("source").get("table").asText()).isEqualTo("Odd \"Name\" \uD83D\uDE00");
      JsonNode update = oddMessages.get(1).value();
      assertThat(update.get("after").has("big"))
          .as("an unchanged TOASTed value is never sent as a placeholder: %s", update)
          .isFalse();
      assertThat(update.get("unchanged")).extracting(JsonNode::asText).containsExactly("big");
      assertThat(update.get("after").get("n").asText()).isEqualTo("12.340");
      JsonNode delete = oddMessages.get(2).value();
      assertThat(delete.get("after").isNull()).isTrue();
      assertThat(delete.get("before").get("id").asInt()).isEqualTo(1);

      List<StreamMessages.Message> all = shared.read(stream, prefix + ".>");
      assertThat(all.stream().map(StreamMessages.Message::msgId).collect(Collectors.toSet()))
          .hasSize(all.size());
      assertThat(all).allSatisfy(m -> assertThat(m.rule()).isEqualTo("to-bus"));
      assertThat(all).allSatisfy(m -> assertThat(m.msgId()).isEqualTo("to-bus:" + m.position()));
      assertThat(
              all.stream()
                  .map(m -> dev.sluice.journal.JournalPosition.parse(m.position()))
                  .toList())
          .isSorted();
      assertThat(p.status("to-bus").state()).isEqualTo(RuleState.RUNNING);
    }
  }

  @Test
  void appendSendsSnapshotRowsAndInsertsOnlyAndExcludedColumnsStayOut() throws Exception {
    String[] s = newStream();
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.sql(
          "CREATE TABLE events(id int PRIMARY KEY, body text, secret text)",
          "INSERT INTO events VALUES (0, 'zero', 'pw')");
      p.configure(
              yaml(
                  NatsServer.SHARED_URL,
                  s[0],
                  s[1],
                  "{ name: to-bus, target: bus, mode: append, tables: [public.events],"
                      + " excludeColumns: { public.events: [secret] } }"))
          .start();
      p.sql(
          "INSERT INTO events VALUES (1, 'one', 'pw'), (2, 'two', 'pw')",
          "UPDATE events SET body = 'changed' WHERE id = 1",
          "DELETE FROM events WHERE id = 2",
          "INSERT INTO events VALUES (3, 'three', 'pw')");
      awaitMessage(p, shared, s[0], s[1] + ".public.events", "{\"id\":3}");
      List<StreamMessages.Message> messages = shared.read(s[0], s[1] + ".>");
      assertThat(messages.get(0).value().get("source").get("snapshot").asText())
          .isIn("true", "last");
      assertThat(messages)
          .extracting(StreamMessages.Message::op)
          .containsExactly("r", "c", "c", "c");
      assertThat(messages)
          .extracting(StreamMessages.Message::key)
          .containsExactly("{\"id\":0}", "{\"id\":1}", "{\"id\":2}", "{\"id\":3}");
      assertThat(messages)
          .allSatisfy(m -> assertThat(m.value().get("after").has("secret")).isFalse());
    }
  }

  @Test
  void aStreamWhoseSubjectsLackThePrefixStopsTheRuleWithAClearError() throws Exception {
    String[] s = newStream();
    shared.management.addStream(
        StreamConfiguration.builder()
            .name(s[0])
            .subjects(s[1] + ".elsewhere.>")
            .storageType(StorageType.Memory)
            .build());
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.failFast = false;
      p.configure(yaml(NatsServer.SHARED_URL, s[0], s[1], "{ name: to-bus, target: bus }")).start();
      p.await(() -> p.status("to-bus").state() == RuleState.FAILED, "the rule to fail");
      assertThat(p.status("to-bus").lastError())
          .contains("target bus")
          .contains("stream " + s[0])
          .contains(s[1] + ".>")
          .contains("subjectPrefix");
    }
  }

  @Test
  void aRestartLongAfterTheDuplicateWindowResumesAfterTheLastMessageTheStreamHolds()
      throws Exception {
    String[] s = newStream();
    shared.management.addStream(
        StreamConfiguration.builder()
            .name(s[0])
            .subjects(s[1] + ".>")
            .storageType(StorageType.File)
            .duplicateWindow(Duration.ofMillis(100))
            .build());
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.sql("CREATE TABLE t(id int PRIMARY KEY, v text)");
      p.configure(yaml(NatsServer.SHARED_URL, s[0], s[1], "{ name: to-bus, target: bus }")).start();
      p.sql("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 300) g");
      awaitMessage(p, shared, s[0], s[1] + ".public.t", "{\"id\":300}");
      p.stopRules();
      // as if the sidecar died after publishing but before storing any checkpoint
      var bucket = shared.connection.keyValue("sluice-checkpoints");
      KeyValueEntry stored = bucket.get(s[0] + ".to-bus");
      String[] parts = new String(stored.getValue(), StandardCharsets.UTF_8).split(" ");
      bucket.put(s[0] + ".to-bus", ("-1 0 0 0 " + parts[4]).getBytes(StandardCharsets.UTF_8));
      Thread.sleep(300); // past the duplicate window: the server would store a re-send again
      p.startRules();
      p.sql("INSERT INTO t VALUES (301, 'after')");
      awaitMessage(p, shared, s[0], s[1] + ".public.t", "{\"id\":301}");
      List<StreamMessages.Message> messages = shared.read(s[0], s[1] + ".public.t");
      Set<String> keys = new HashSet<>();
      for (StreamMessages.Message m : messages) {
        assertThat(keys.add(m.key())).as("%s arrived twice", m.key()).isTrue();
      }
      assertThat(keys).hasSize(301);
    }
  }

  @Test
  void aBrokerThatIsDownPausesOnlyItsRuleAndEveryChangeArrivesOnceAfterwards() throws Exception {
    String[] s = newStream();
    try (NatsServer nats = NatsServer.start();
        StreamMessages reader = new StreamMessages(nats.url());
        Pipeline p = new Pipeline(PG.cluster())) {
      p.sql("CREATE TABLE t(id int PRIMARY KEY, v text)");
      p.configure(
              """
              source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
              journal: { dir: "${DIR}/journal" }
              targets:
                bus: { url: "%s", stream: %s, subjectPrefix: "%s" }
                lite: { url: "jdbc:sqlite:${DIR}/lite.db" }
              rules:
                - { name: to-bus, target: bus, tables: [public.t] }
                - { name: to-lite, target: lite, tables: [public.t] }
              """
                  .formatted(nats.url(), s[0], s[1]))
          .start();
      p.failFast = false;
      p.sql("INSERT INTO t SELECT g, 'v' FROM generate_series(1, 100) g");
      awaitMessage(p, reader, s[0], s[1] + ".public.t", "{\"id\":100}");
      reader.close();
      nats.stop();
      p.sql("INSERT INTO t SELECT g, 'w' FROM generate_series(101, 600) g");
      String lite = "jdbc:sqlite:" + p.dir.resolve("lite.db");
      p.await(() -> count(lite) == 600, "the SQLite target to get every row while NATS is down");
      p.await(() -> p.status("to-bus").state() == RuleState.RETRYING, "the NATS rule to be paused");
      assertThat(p.status("to-bus").lagChanges()).isPositive();
      assertThat(p.status("to-lite").state()).isEqualTo(RuleState.RUNNING);
      nats.start(Duration.ofSeconds(20));
      try (StreamMessages again = new StreamMessages(nats.url())) {
        awaitMessage(p, again, s[0], s[1] + ".public.t", "{\"id\":600}");
        List<StreamMessages.Message> messages = again.read(s[0], s[1] + ".public.t");
        assertThat(messages).hasSize(600);
        assertThat(messages.stream().map(StreamMessages.Message::key).distinct().count())
            .isEqualTo(600);
      }
      p.await(() -> p.status("to-bus").state() == RuleState.RUNNING, "the NATS rule to resume");
    }
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
