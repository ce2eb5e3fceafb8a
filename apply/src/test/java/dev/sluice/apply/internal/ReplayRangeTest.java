package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.JournalConfig;
import dev.sluice.config.SyncPolicy;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.journal.JournalWriter;
import dev.sluice.journal.Marker;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a replay's range ends: always where a source transaction ends, in what the journal holds.
 */
class ReplayRangeTest {
  @TempDir Path dir;

  private long lsn;

  private Journal open() {
    return Journal.open(new JournalConfig(dir, Duration.ofDays(7), SyncPolicy.BATCH));
  }

  /** Appends one source transaction of {@code changes} inserts; returns their positions. */
  private List<Long> transaction(
      JournalWriter writer, TableSchema schema, int changes, boolean ends) {
    List<Long> positions = new ArrayList<>();
    for (int i = 1; i <= changes; i++) {
      lsn++;
      boolean last = ends && i == changes;
      positions.add(
          writer.append(
              new ChangeEvent(
                  0,
                  schema,
                  Op.INSERT,
                  null,
                  new Object[] {(int) lsn},
                  lsn,
                  new SourcePosition(1, 0, lsn, 0),
                  last ? lsn : 0,
                  lsn * 10,
                  last ? ChangeEvent.LAST_IN_TRANSACTION : 0)));
    }
    return positions;
  }

  private static TableSchema schema(JournalWriter writer) {
    return writer.register(
        new TableSchema(
            0,
            new TableName("public", "t"),
            List.of(Column.of("id", "integer", ValueKind.INT32).asKey(0)),
            ReplicaIdentity.DEFAULT));
  }

  @Test
  void anEndInsideATransactionMovesToThatTransactionsEnd() {
    try (Journal journal = open()) {
      JournalWriter writer = journal.writer();
      TableSchema schema = schema(writer);
      List<Long> first = transaction(writer, schema, 3, true);
      List<Long> second = transaction(writer, schema, 4, true);
      transaction(writer, schema, 2, true);
      writer.sync();

      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(0), second.get(1)))
          .isEqualTo(second.get(3));
      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(1), second.get(0)))
          .as("a range starting inside a transaction too")
          .isEqualTo(second.get(3));
    }
  }

  @Test
  void anEndWhereATransactionEndsStaysWhereItIs() {
    try (Journal journal = open()) {
      JournalWriter writer = journal.writer();
      TableSchema schema = schema(writer);
      List<Long> first = transaction(writer, schema, 3, true);
      List<Long> second = transaction(writer, schema, 2, true);
      writer.sync();

      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(0), first.get(2)))
          .isEqualTo(first.get(2));
      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(0), second.get(1)))
          .isEqualTo(second.get(1));
    }
  }

  @Test
  void aTransactionWhoseEndTheJournalDoesNotHoldYetIsLeftOutAndNothingWaitsForIt() {
    try (Journal journal = open()) {
      JournalWriter writer = journal.writer();
      TableSchema schema = schema(writer);
      List<Long> first = transaction(writer, schema, 3, true);
      writer.append(new Marker(0, Marker.Kind.CAPTURE_STARTED, 1, List.of(), "resumed"));
      List<Long> open = transaction(writer, schema, 3, false);
      writer.sync();

      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(0), open.get(1)))
          .isEqualTo(first.get(2));
      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(0), journal.lastPosition()))
          .isEqualTo(first.get(2));
      assertThat(ApplyLoop.wholeTransactionsEnd(journal, open.get(0), open.get(2)))
          .as("no transaction ends in the range")
          .isEqualTo(JournalPosition.NONE);
    }
  }

  @Test
  void aCaptureRestartInsideATransactionDoesNotEndIt() {
    try (Journal journal = open()) {
      JournalWriter writer = journal.writer();
      TableSchema schema = schema(writer);
      List<Long> first = transaction(writer, schema, 2, false);
      long restart =
          writer.append(new Marker(0, Marker.Kind.CAPTURE_STARTED, 1, List.of(), "resumed"));
      List<Long> rest = transaction(writer, schema, 2, true);
      writer.sync();

      assertThat(ApplyLoop.wholeTransactionsEnd(journal, first.get(0), restart))
          .isEqualTo(rest.get(1));
    }
  }
}
