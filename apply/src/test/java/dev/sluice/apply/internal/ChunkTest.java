package dev.sluice.apply.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.Dialect;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.RuleMode;
import dev.sluice.config.TableName;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Column;
import dev.sluice.journal.Op;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.SourcePosition;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.Unavailable;
import dev.sluice.journal.ValueKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkTest {
  private static final TableSchema DOCS =
      new TableSchema(
          1,
          new TableName("public", "docs"),
          List.of(
              Column.of("id", "integer", ValueKind.INT32).asKey(0),
              Column.of("title", "text", ValueKind.TEXT),
              Column.of("body", "text", ValueKind.TEXT)),
          ReplicaIdentity.DEFAULT);

  private static RuleConfig rule(String extra) {
    return new ConfigLoader(Map.of())
        .parse(
            "source: { url: jdbc:postgresql://h/db }\ntargets: { t: { url: 'jdbc:sqlite:x.db' } }\nrules: [ { name: r, target: t"
                + extra
                + " } ]",
            "t.yaml",
            Path.of("/tmp"),
            null)
        .rules()
        .get(0);
  }

  private static TableMapping mapping() {
    return TableMapping.of(rule(""), Dialect.SQLITE, DOCS);
  }

  private static ChangeEvent change(Op op, Object[] row, long position) {
    Object[] before = op == Op.DELETE ? row : null;
    Object[] after = op == Op.DELETE ? null : row;
    return new ChangeEvent(
        position,
        DOCS,
        op,
        before,
        after,
        1,
        new SourcePosition(1, 0, position, 0),
        0,
        position * 10,
        0);
  }

  @Test
  void changesToOneKeyBecomeTheirNetEffect() {
    Chunk chunk = new Chunk(RuleMode.CDC);
    TableMapping mapping = mapping();
    chunk.add(mapping, change(Op.INSERT, new Object[] {1, "a", "body"}, 1));
    chunk.add(mapping, change(Op.UPDATE, new Object[] {1, "b", Unavailable.UNCHANGED_TOAST}, 2));
    chunk.add(mapping, change(Op.INSERT, new Object[] {2, "x", "y"}, 3));
    chunk.add(
        mapping, change(Op.DELETE, new Object[] {2, Unavailable.ABSENT, Unavailable.ABSENT}, 4));

    List<RowOp> ops = chunk.operations().get(mapping);

    assertThat(ops).hasSize(2);
    assertThat(ops.get(0).kind()).isEqualTo(RowOp.Kind.UPSERT);
    assertThat(ops.get(0).row()).containsExactly(1, "b", "body");
    assertThat(ops.get(0).commitMicros()).isEqualTo(20);
    assertThat(ops.get(1).kind()).isEqualTo(RowOp.Kind.DELETE);
    assertThat(chunk.changes()).isEqualTo(4);
  }

  @Test
  void anUpdateWithUnchangedToastStaysAPartialUpdate() {
    Chunk chunk = new Chunk(RuleMode.CDC);
    TableMapping mapping = mapping();
    chunk.add(mapping, change(Op.UPDATE, new Object[] {1, "b", Unavailable.UNCHANGED_TOAST}, 1));
    chunk.add(mapping, change(Op.UPDATE, new Object[] {1, "c", Unavailable.UNCHANGED_TOAST}, 2));

    RowOp op = chunk.operations().get(mapping).get(0);

    assertThat(op.kind()).isEqualTo(RowOp.Kind.UPDATE);
    assertThat(op.row()).containsExactly(1, "c", Unavailable.UNCHANGED_TOAST);
  }

  @Test
  void aDeleteThenAnInsertOfTheSameKeyIsAnUpsert() {
    Chunk chunk = new Chunk(RuleMode.CDC);
    TableMapping mapping = mapping();
    chunk.add(
        mapping, change(Op.DELETE, new Object[] {1, Unavailable.ABSENT, Unavailable.ABSENT}, 1));
    chunk.add(mapping, change(Op.INSERT, new Object[] {1, "new", "row"}, 2));

    assertThat(chunk.operations().get(mapping))
        .singleElement()
        .satisfies(op -> assertThat(op.kind()).isEqualTo(RowOp.Kind.UPSERT));
  }

  @Test
  void appendModeTakesInsertsOnlyAndKeepsTheFirst() {
    Chunk chunk = new Chunk(RuleMode.APPEND);
    TableMapping mapping = mapping();

    assertThat(chunk.add(mapping, change(Op.INSERT, new Object[] {1, "a", "b"}, 1))).isTrue();
    assertThat(chunk.add(mapping, change(Op.UPDATE, new Object[] {1, "z", "z"}, 2))).isFalse();
    assertThat(chunk.add(mapping, change(Op.DELETE, new Object[] {1, null, null}, 3))).isFalse();
    assertThat(chunk.operations().get(mapping))
        .singleElement()
        .satisfies(
            op -> {
              assertThat(op.kind()).isEqualTo(RowOp.Kind.INSERT);
              assertThat(op.row()).containsExactly(1, "a", "b");
            });
  }

  @Test
  void byteArrayKeysCoalesceByContent() {
    TableSchema blobs =
        new TableSchema(
            2,
            new TableName("public", "blobs"),
            List.of(Column.of("k", "bytea", ValueKind.BYTES).asKey(0)),
            ReplicaIdentity.DEFAULT);
    TableMapping mapping = TableMapping.of(rule(""), Dialect.SQLITE, blobs);
    Chunk chunk = new Chunk(RuleMode.CDC);
    chunk.add(
        mapping,
        new ChangeEvent(
            1,
            blobs,
            Op.INSERT,
            null,
            new Object[] {new byte[] {1, 2}},
            1,
            SourcePosition.NONE,
            0,
            0,
            0));
    chunk.add(
        mapping,
        new ChangeEvent(
            2,
            blobs,
            Op.INSERT,
            null,
            new Object[] {new byte[] {1, 2}},
            1,
            SourcePosition.NONE,
            0,
            0,
            0));

    assertThat(chunk.operations().get(mapping)).hasSize(1);
  }

  @Test
  void targetNamesFollowTheDesignRules() {
    TableName users = new TableName("public", "users");
    TableName items = new TableName("inventory", "items");

    assertThat(TargetTable.of(Dialect.POSTGRESQL, items, Map.of()))
        .isEqualTo(new TargetTable("inventory", "items"));
    assertThat(TargetTable.of(Dialect.MYSQL, users, Map.of()))
        .isEqualTo(new TargetTable(null, "users"));
    assertThat(TargetTable.of(Dialect.SQLITE, items, Map.of()))
        .isEqualTo(new TargetTable(null, "inventory_items"));
    assertThat(TargetTable.of(Dialect.MONGODB, users, Map.of(users, "people")))
        .isEqualTo(new TargetTable(null, "people"));
    assertThat(TargetTable.of(Dialect.POSTGRESQL, users, Map.of(users, "people")))
        .isEqualTo(new TargetTable("public", "people"));
  }

  @Test
  void excludedColumnsAreLeftOutButNeverTheKey() {
    TableMapping mapping =
        TableMapping.of(rule(", excludeColumns: { public.docs: [body] }"), Dialect.MYSQL, DOCS);

    assertThat(mapping.columns()).extracting(Column::name).containsExactly("id", "title");
    assertThat(mapping.project(new Object[] {1, "t", "secret"})).containsExactly(1, "t");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                TableMapping.of(
                    rule(", excludeColumns: { public.docs: [id] }"), Dialect.MYSQL, DOCS))
        .hasMessageContaining("the key column id of public.docs cannot be excluded");
  }
}
