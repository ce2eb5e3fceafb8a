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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RuleMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NOW = 1_796_482_445_190L;
  private static final long COMMIT = 1_796_482_445_123_456L;
  private static final TableSchema ODD =
      new TableSchema(
          1,
          new TableName("Odd \"Schema\"", "Zoë \uD83D\uDE00.t"),
          List.of(
              new Column("id", "bigint", ValueKind.INT64, null, 0, false, List.of()),
              Column.of("v \"q\"", "text", ValueKind.TEXT)),
          ReplicaIdentity.DEFAULT);
  private static final TableSchema ITEMS =
      new TableSchema(
          2,
          new TableName("public", "items"),
          List.of(
              new Column("id", "bigint", ValueKind.INT64, null, 0, false, List.of()),
              Column.of("name", "text", ValueKind.TEXT)),
          ReplicaIdentity.DEFAULT);
  private static final TableSchema OTHER =
      new TableSchema(
          3,
          new TableName("public", "other"),
          List.of(new Column("id", "bigint", ValueKind.INT64, null, 0, false, List.of())),
          ReplicaIdentity.DEFAULT);

  private static long at(int n) {
    return JournalPosition.parse("20792:" + n);
  }

  private static ChangeEvent insert(int n, TableSchema schema, long txId, boolean last) {
    Object[] row =
        schema.columns().size() == 2
            ? new Object[] {(long) n, "\"x\" \uD83D\uDE00"}
            : new Object[] {(long) n};
    ChangeEvent change =
        new ChangeEvent(
            at(n),
            schema,
            Op.INSERT,
            null,
            row,
            txId,
            new SourcePosition(1, 0, 0x1000L + n, 0),
            0,
            COMMIT,
            0);
    return last ? change.asLastInTransaction(0x2000L + n) : change;
  }

  private static ChangeEvent truncate(int n, TableSchema schema, long txId) {
    return new ChangeEvent(
        at(n),
        schema,
        Op.TRUNCATE,
        null,
        null,
        txId,
        new SourcePosition(1, 0, 0x1000L + n, 0),
        0,
        COMMIT,
        0);
  }

  private static ChangeEvent read(int n, TableSchema schema) {
    return new ChangeEvent(
        at(n),
        schema,
        Op.READ,
        null,
        new Object[] {(long) n, null},
        0,
        new SourcePosition(1, 0, 0, 0),
        0,
        COMMIT,
        0);
  }

  private static RuleMessages messages(StreamFormat format, boolean transactions) {
    return new RuleMessages(
        "to-\"bus\"", ChangeFormat.of(format, "sluice", "app \"db\" \uD83D\uDE00"), transactions);
  }

  private static JsonNode json(byte[] bytes) throws IOException {
    return JSON.readTree(bytes);
  }

  /** What a rule of the given tables publishes for a journal, as StreamLoop drives it. */
  private static List<StreamMessage> publish(
      RuleMessages rule, List<ChangeEvent> journal, Set<TableName> covered) {
    List<StreamMessage> out = new ArrayList<>();
    for (ChangeEvent change : journal) {
      if (covered.contains(change.table())) {
        out.addAll(rule.change(change, null, NOW));
      }
      if (change.isLastInTransaction()) {
        out.addAll(rule.transactionEnd(change, NOW));
      }
    }
    return out;
  }

  /**
   * A snapshot row, a transaction over three tables whose last change the rule does not cover, a
   * transaction of which it covers nothing, a truncate alone, and a one-change transaction.
   */
  private static List<ChangeEvent> journal() {
    return List.of(
        read(1, ITEMS),
        insert(2, ODD, 900, false),
        insert(3, ITEMS, 900, false),
        insert(4, ODD, 900, false),
        insert(5, OTHER, 900, true),
        insert(6, OTHER, 901, true),
        truncate(7, ITEMS, 902).asLastInTransaction(0x3000),
        insert(8, ITEMS, 4_294_967_297L, true));
  }

  private static final Set<TableName> COVERED = Set.of(ODD.table(), ITEMS.table());

  @Test
  void aTransactionIsFramedByBeginAndEndCountingTheRulesChangesPerTable() throws IOException {
    List<StreamMessage> out = publish(messages(StreamFormat.DEBEZIUM, true), journal(), COVERED);

    assertThat(out)
        .extracting(StreamMessage::kind, StreamMessage::id)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.CHANGE, "to-\"bus\":20792:1"),
            org.assertj.core.groups.Tuple.tuple(
                StreamMessage.Kind.BEGIN, "to-\"bus\":20792:2:begin"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.CHANGE, "to-\"bus\":20792:2"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.CHANGE, "to-\"bus\":20792:3"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.CHANGE, "to-\"bus\":20792:4"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.END, "to-\"bus\":20792:5:end"),
            org.assertj.core.groups.Tuple.tuple(
                StreamMessage.Kind.BEGIN, "to-\"bus\":20792:7:begin"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.CHANGE, "to-\"bus\":20792:7"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.END, "to-\"bus\":20792:7:end"),
            org.assertj.core.groups.Tuple.tuple(
                StreamMessage.Kind.BEGIN, "to-\"bus\":20792:8:begin"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.CHANGE, "to-\"bus\":20792:8"),
            org.assertj.core.groups.Tuple.tuple(StreamMessage.Kind.END, "to-\"bus\":20792:8:end"));

    JsonNode begin = json(out.get(1).value());
    assertThat(begin.toString())
        .isEqualTo(
            "{\"status\":\"BEGIN\",\"id\":\"900\",\"ts_ms\":1796482445123,\"event_count\":null,"
                + "\"data_collections\":null}");
    assertThat(out.get(1).headers())
        .containsEntry(StreamMessage.TRANSACTION, "begin")
        .containsEntry(StreamMessage.TXID, "900")
        .containsEntry(StreamMessage.POSITION, "20792:2")
        .containsEntry(StreamMessage.KEY, "{\"id\":\"900\"}")
        .doesNotContainKey(StreamMessage.TABLE);
    JsonNode end = json(out.get(5).value());
    assertThat(end.toString())
        .isEqualTo(
            "{\"status\":\"END\",\"id\":\"900\",\"ts_ms\":1796482445123,\"event_count\":3,"
                + "\"data_collections\":[{\"data_collection\":\"Odd \\\"Schema\\\".Zoë"
                + " \uD83D\uDE00.t\",\"event_count\":2},{\"data_collection\":\"public.items\","
                + "\"event_count\":1}]}");
    assertThat(out.get(5).headers()).containsEntry(StreamMessage.POSITION, "20792:5");

    JsonNode third = json(out.get(4).value()).get("transaction");
    assertThat(third.toString())
        .isEqualTo("{\"id\":\"900\",\"total_order\":3,\"data_collection_order\":2}");
    assertThat(json(out.get(0).value()).has("transaction")).isFalse();
    assertThat(out.get(0).headers()).doesNotContainKey(StreamMessage.TXID);
    assertThat(json(out.get(8).value()).get("event_count").asLong()).isEqualTo(1);
    assertThat(json(out.get(11).value()).get("id").asText()).isEqualTo("4294967297");
    assertThat(out.get(10).headers()).containsEntry(StreamMessage.COMMIT_LSN, "0/2008");
  }

  @Test
  void withoutTransactionMessagesEachChangeIsOneMessageWithTheHeadersOfBefore() {
    List<StreamMessage> out = publish(messages(StreamFormat.DEBEZIUM, false), journal(), COVERED);

    assertThat(out).extracting(StreamMessage::kind).containsOnly(StreamMessage.Kind.CHANGE);
    assertThat(out).hasSize(6);
    assertThat(out.get(1).headers().keySet())
        .containsExactly(
            StreamMessage.POSITION,
            StreamMessage.RULE,
            StreamMessage.COMMIT,
            StreamMessage.TABLE,
            StreamMessage.KEY);
    assertThat(out.get(1).headers().get(StreamMessage.TABLE))
        .isEqualTo("Odd%20%22Schema%22.Zo%C3%AB%20%F0%9F%98%80%2Et");
    assertThat(new String(out.get(1).value(), StandardCharsets.UTF_8))
        .isEqualTo(
            new String(
                new DebeziumEnvelope("sluice", "app \"db\" \uD83D\uDE00")
                    .value(journal().get(1), NOW),
                StandardCharsets.UTF_8));
  }

  @Test
  void snapshotRowsAndTransactionsTheRuleSendsNothingOfHaveNoFrame() {
    RuleMessages rule = messages(StreamFormat.DEBEZIUM, true);

    assertThat(rule.change(read(1, ITEMS), null, NOW))
        .extracting(StreamMessage::kind)
        .containsExactly(StreamMessage.Kind.CHANGE);
    assertThat(rule.transactionEnd(insert(2, OTHER, 77, true), NOW)).isEmpty();
  }

  /**
   * A crash after any message: the broker holds a prefix of them. A new connection replays the
   * prefix, publishes what {@link RuleMessages#recovered} owes, and the rule resumes after the last
   * message that advances the checkpoint. Whatever the prefix, the broker ends with every message
   * once, in order, with the same ids and bodies as without the crash.
   */
  @ParameterizedTest
  @EnumSource(StreamFormat.class)
  void aCrashAfterAnyMessageLeavesEveryMessageOnceInOrder(StreamFormat format) {
    List<StreamMessage> whole = publish(messages(format, true), journal(), COVERED);
    for (int stored = 0; stored <= whole.size(); stored++) {
      List<StreamMessage> broker = new ArrayList<>(whole.subList(0, stored));
      RuleMessages again = messages(format, true);
      long resume = JournalPosition.NONE;
      for (StreamMessage message : broker) {
        again.stored(message.headers()::get);
        if (RuleMessages.advancesCheckpoint(message.headers()::get)) {
          resume = JournalPosition.parse(message.headers().get(StreamMessage.POSITION));
        }
      }
      broker.addAll(again.recovered(NOW));
      long after = resume;
      broker.addAll(
          publish(again, journal().stream().filter(c -> c.position() > after).toList(), COVERED));

      assertThat(broker).as("crash after %d messages", stored).hasSize(whole.size());
      for (int i = 0; i < whole.size(); i++) {
        assertThat(broker.get(i).id())
            .as("message %d after a crash at %d", i, stored)
            .isEqualTo(whole.get(i).id());
        assertThat(broker.get(i).value()).isEqualTo(whole.get(i).value());
        assertThat(broker.get(i).headers()).isEqualTo(whole.get(i).headers());
      }
    }
  }

  @Test
  void aBeginDoesNotAdvanceTheCheckpointAndEveryOtherMessageDoes() {
    List<StreamMessage> out = publish(messages(StreamFormat.DEBEZIUM, true), journal(), COVERED);

    assertThat(out)
        .filteredOn(m -> !RuleMessages.advancesCheckpoint(m.headers()::get))
        .extracting(StreamMessage::kind)
        .containsOnly(StreamMessage.Kind.BEGIN)
        .hasSize(3);
    assertThat(out)
        .filteredOn(m -> RuleMessages.isChange(m.headers()::get))
        .extracting(StreamMessage::kind)
        .containsOnly(StreamMessage.Kind.CHANGE);
    assertThat(Map.copyOf(out.get(0).headers())).containsKey(StreamMessage.TABLE);
  }
}
