package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.apply.Pipeline;
import dev.sluice.testkit.NatsServer;
import dev.sluice.testkit.PostgresExtension;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code format: cloudevents} and {@code transactions: true} end to end: a real source, capture,
 * the journal and the machine's NATS server, read back by a JetStream consumer.
 */
class NatsFormatIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("nats-format");

  private static final String TAG = "f" + ProcessHandle.current().pid();
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

  /** One message as a consumer receives it. */
  record Received(String subject, String id, String position, String transaction, JsonNode body) {
    String type() {
      return body.path("type").asText();
    }
  }

  /** Every message of the stream under {@code prefix}, through an ordered push-less consumer. */
  private static List<Received> consume(String stream, String prefix, long expected)
      throws Exception {
    OrderedConsumerContext consumer =
        shared
            .connection
            .getStreamContext(stream)
            .createOrderedConsumer(new OrderedConsumerConfiguration().filterSubject(prefix + ".>"));
    List<Received> received = new ArrayList<>();
    try (IterableConsumer messages = consumer.iterate()) {
      while (received.size() < expected) {
        Message m = messages.nextMessage(Duration.ofSeconds(30));
        assertThat(m).as("message %d of %d", received.size() + 1, expected).isNotNull();
        received.add(
            new Received(
                m.getSubject(),
                m.getHeaders().getFirst("Nats-Msg-Id"),
                m.getHeaders().getFirst("sluice.position"),
                m.getHeaders().getFirst("sluice.transaction"),
                StreamMessages.JSON.readTree(m.getData())));
      }
    }
    return received;
  }

  @Test
  void cloudEventsWithTransactionMessagesFrameEachTransactionOnceForAConsumer() throws Exception {
    int n = streams.size() + 1;
    String stream = ("SLUICE_" + TAG + "_" + n).toUpperCase(java.util.Locale.ROOT);
    String prefix = TAG + ".ce" + n;
    streams.add(stream);
    String odd = "\"Odd Schema\".\"Odd \"\"Name\"\" \uD83D\uDE00\"";
    try (Pipeline p = new Pipeline(PG.cluster())) {
      p.sql(
          "CREATE SCHEMA \"Odd Schema\"",
          "CREATE TABLE " + odd + "(id int PRIMARY KEY, v text)",
          "CREATE TABLE items(id bigint PRIMARY KEY, name text)",
          "CREATE TABLE other(id int PRIMARY KEY)",
          "INSERT INTO items VALUES (0, 'snapshot')");
      p.configure(
              """
              source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
              journal: { dir: "${DIR}/journal" }
              targets:
                bus: { url: "%s", stream: %s, subjectPrefix: "%s", format: cloudevents,
                       transactions: true }
              rules:
                - { name: to-bus, target: bus, mode: cdc, tables: [public.items, "%s"] }
              """
                  .formatted(NatsServer.SHARED_URL, stream, prefix, "Odd Schema.*"))
          .start();
      // TRUNCATE is not MVCC-safe: a snapshot still reading would see the table empty
      p.await(
          () -> {
            try {
              return shared.read(stream, prefix + ".public.items").size() == 1;
            } catch (Exception e) {
              return false;
            }
          },
          "the snapshot row");
      p.sql(
          "BEGIN; INSERT INTO items VALUES (1, 'a''\"\uD83D\uDE00'); INSERT INTO "
              + odd
              + " VALUES (1, 'x'); UPDATE items SET name = NULL WHERE id = 1;"
              + " INSERT INTO other VALUES (1); COMMIT",
          "INSERT INTO other VALUES (2)",
          "BEGIN; COMMIT",
          "TRUNCATE items",
          "INSERT INTO items VALUES (1000, 'last')");
      p.await(
          () -> {
            try {
              return shared.read(stream, prefix + ".transaction").size() == 6;
            } catch (Exception e) {
              return false;
            }
          },
          "three BEGIN and three END messages");

      long total = shared.management.getStreamInfo(stream).getStreamState().getMsgCount();
      List<Received> all = consume(stream, prefix, total);

      assertThat(all)
          .extracting(Received::type)
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
                assertThat(m.body().get("specversion").asText()).isEqualTo("1.0");
                assertThat(m.body().get("id").asText()).isEqualTo(m.id());
                assertThat(m.body().get("source").asText()).isEqualTo("/sluice/" + p.database);
                assertThat(m.body().get("sluiceposition").asText()).isEqualTo(m.position());
                assertThat(m.body().get("time").asText())
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
              });
      assertThat(all.stream().map(Received::id).distinct().count()).isEqualTo(all.size());
      assertThat(all.get(0).transaction()).isNull();
      assertThat(all.get(0).body().get("data").has("transaction")).isFalse();

      Received begin = all.get(1);
      assertThat(begin.subject()).isEqualTo(prefix + ".transaction");
      assertThat(begin.transaction()).isEqualTo("begin");
      assertThat(begin.id()).isEqualTo("to-bus:" + all.get(2).position() + ":begin");
      String txId = begin.body().get("data").get("id").asText();
      assertThat(all.get(2).body().get("data").get("source").get("txId").asText()).isEqualTo(txId);
      assertThat(all.get(2).body().get("subject").asText()).isEqualTo("public.items");
      assertThat(all.get(2).body().get("data").get("after").get("name").asText())
          .isEqualTo("a'\"\uD83D\uDE00");
      assertThat(all.get(3).subject())
          .isEqualTo(prefix + ".Odd%20Schema.Odd%20%22Name%22%20%F0%9F%98%80");
      assertThat(all.get(4).body().get("data").get("transaction").toString())
          .isEqualTo("{\"id\":\"" + txId + "\",\"total_order\":3,\"data_collection_order\":2}");
      JsonNode end = all.get(5).body().get("data");
      assertThat(end.get("status").asText()).isEqualTo("END");
      assertThat(end.get("id").asText()).isEqualTo(txId);
      assertThat(end.get("event_count").asInt()).isEqualTo(3);
      assertThat(end.get("data_collections").toString())
          .isEqualTo(
              "[{\"data_collection\":\"public.items\",\"event_count\":2},"
                  + "{\"data_collection\":\"Odd Schema.Odd \\\"Name\\\" \uD83D\uDE00\","
                  + "\"event_count\":1}]");
      assertThat(dev.sluice.journal.JournalPosition.parse(all.get(5).position()))
          .as("the END is at the transaction's last change, which the rule does not send")
          .isGreaterThan(dev.sluice.journal.JournalPosition.parse(all.get(4).position()));
      assertThat(all.get(8).body().get("data").get("event_count").asInt()).isEqualTo(1);
    }
  }
}
