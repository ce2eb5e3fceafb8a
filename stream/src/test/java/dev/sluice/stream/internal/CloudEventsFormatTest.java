package dev.sluice.stream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.StreamFormat;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloudEventsFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TableSchema TABLE =
      new TableSchema(
          7,
          new TableName("Odd Schema", "Odd \"Name\" \uD83D\uDE00"),
          List.of(
              new Column("id", "bigint", ValueKind.INT64, null, 0, false, List.of()),
              Column.of("v", "text", ValueKind.TEXT)),
          ReplicaIdentity.DEFAULT);

  private static ChangeEvent change(Op op, Object[] before, Object[] after, long commitMicros) {
    return new ChangeEvent(
        JournalPosition.parse("20792:1041"),
        TABLE,
        op,
        before,
        after,
        4_294_967_297L,
        new SourcePosition(1, 0, 0x1_0000_0010L, 0),
        0,
        commitMicros,
        0);
  }

  private final RuleMessages cloudEvents =
      new RuleMessages(
          "to-bus",
          ChangeFormat.of(StreamFormat.CLOUDEVENTS, "sluice", "app \"db\"/\uD83D\uDE00"),
          true);

  @Test
  void aChangeIsAStructuredCloudEventWithTheDebeziumEnvelopeAsItsData() throws Exception {
    ChangeEvent insert =
        change(Op.INSERT, null, new Object[] {42L, "a\"\\\uD83D\uDE00\n"}, 1_796_482_445_000_007L);

    List<StreamMessage> out = cloudEvents.change(insert, null, 1_796_482_445_190L);

    StreamMessage message = out.get(1);
    JsonNode event = JSON.readTree(message.value());
    List<String> names = new java.util.ArrayList<>();
    for (Iterator<String> it = event.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    assertThat(names)
        .containsExactly(
            "specversion",
            "id",
            "source",
            "type",
            "time",
            "datacontenttype",
            "sluiceposition",
            "sluicetxid",
            "sluicelsn",
            "subject",
            "data");
    assertThat(event.get("specversion").asText()).isEqualTo("1.0");
    assertThat(event.get("id").asText()).isEqualTo("to-bus:20792:1041").isEqualTo(message.id());
    assertThat(event.get("source").asText()).isEqualTo("/sluice/app%20%22db%22%2F%F0%9F%98%80");
    assertThat(java.net.URI.create(event.get("source").asText()).getPath())
        .isEqualTo("/sluice/app \"db\"/\uD83D\uDE00");
    assertThat(event.get("type").asText()).isEqualTo("dev.sluice.change.insert");
    assertThat(event.get("time").asText()).isEqualTo("2026-12-05T14:54:05.000007Z");
    assertThat(event.get("subject").asText())
        .isEqualTo("Odd%20Schema.Odd%20%22Name%22%20%F0%9F%98%80");
    assertThat(Subjects.table(event.get("subject").asText())).isEqualTo(TABLE.table());
    assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
    assertThat(event.get("sluicetxid").asText()).isEqualTo("4294967297");
    assertThat(event.get("sluicelsn").asText()).isEqualTo("1/10");
    assertThat(event.get("sluiceposition").asText()).isEqualTo("20792:1041");
    for (String name : names) {
      assertThat(name).matches("[a-z0-9]{1,20}");
    }
    JsonNode data = event.get("data");
    assertThat(data.get("after").get("v").asText()).isEqualTo("a\"\\\uD83D\uDE00\n");
    assertThat(data.get("op").asText()).isEqualTo("c");
    assertThat(data.get("transaction").get("total_order").asLong()).isEqualTo(1);
    assertThat(data.get("source").get("table").asText()).isEqualTo("Odd \"Name\" \uD83D\uDE00");
    assertThat(message.headers())
        .containsEntry(StreamMessage.CONTENT_TYPE, "application/cloudevents+json")
        .containsEntry(StreamMessage.KEY, "{\"id\":42}");
    assertThat(message.key()).isEqualTo("{\"id\":42}".getBytes());
  }

  @Test
  void transactionMessagesAreCloudEventsOfTheirOwnTypeWithoutSubject() throws Exception {
    ChangeEvent delete =
        change(Op.DELETE, new Object[] {42L, null}, null, -1).asLastInTransaction(0x20L);

    StreamMessage begin = cloudEvents.change(delete, null, 0).get(0);
    StreamMessage end = cloudEvents.transactionEnd(delete, 0).get(0);

    JsonNode first = JSON.readTree(begin.value());
    assertThat(first.get("type").asText()).isEqualTo("dev.sluice.transaction.begin");
    assertThat(first.get("id").asText()).isEqualTo("to-bus:20792:1041:begin");
    assertThat(first.has("subject")).isFalse();
    assertThat(first.get("time").asText()).isEqualTo("1969-12-31T23:59:59.999999Z");
    assertThat(first.get("data").get("status").asText()).isEqualTo("BEGIN");
    JsonNode last = JSON.readTree(end.value());
    assertThat(last.get("type").asText()).isEqualTo("dev.sluice.transaction.end");
    assertThat(last.get("sluicelsn").asText()).isEqualTo("0/20");
    assertThat(last.get("data").get("event_count").asLong()).isEqualTo(1);
    assertThat(last.get("data").get("data_collections").get(0).get("data_collection").asText())
        .isEqualTo("Odd Schema.Odd \"Name\" \uD83D\uDE00");
  }

  @Test
  void aTruncateHasNoKeyAndItsOwnType() throws Exception {
    StreamMessage message = cloudEvents.change(change(Op.TRUNCATE, null, null, 0), null, 0).get(1);

    assertThat(message.key()).isNull();
    assertThat(message.headers()).doesNotContainKey(StreamMessage.KEY);
    JsonNode event = JSON.readTree(message.value());
    assertThat(event.get("type").asText()).isEqualTo("dev.sluice.change.truncate");
    assertThat(event.get("data").get("op").asText()).isEqualTo("t");
  }
}
