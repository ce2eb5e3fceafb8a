package dev.sluice.journal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TableName;
import dev.sluice.journal.Column;
import dev.sluice.journal.ReplicaIdentity;
import dev.sluice.journal.TableSchema;
import dev.sluice.journal.ValueKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaStoreTest {
  private static TableSchema table(String name, String... columns) {
    return new TableSchema(
        0,
        new TableName("public", name),
        java.util.Arrays.stream(columns).map(c -> Column.of(c, "text", ValueKind.TEXT)).toList(),
        ReplicaIdentity.DEFAULT);
  }

  @Test
  void theSameShapeIsRegisteredOnce(@TempDir Path dir) {
    SchemaStore store = new SchemaStore(dir.resolve("schemas.bin"), true);

    TableSchema first = store.register(table("a", "x"));
    TableSchema again = store.register(table("a", "x"));
    TableSchema widened = store.register(table("a", "x", "y"));

    assertThat(first.id()).isEqualTo(1);
    assertThat(again).isSameAs(first);
    assertThat(widened.id()).isEqualTo(2);
  }

  @Test
  void anotherReaderFindsSchemasRegisteredAfterItOpened(@TempDir Path dir) {
    SchemaStore writer = new SchemaStore(dir.resolve("schemas.bin"), true);
    SchemaStore reader = new SchemaStore(dir.resolve("schemas.bin"), false);

    TableSchema registered = writer.register(table("b", "x"));

    assertThat(reader.find(registered.id())).isEqualTo(registered);
    assertThat(reader.find(99)).isNull();
  }

  @Test
  void aTornLastRecordIsIgnoredAndCutOffByTheNextWriter(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("schemas.bin");
    new SchemaStore(file, true).register(table("a", "x"));
    long intact = Files.size(file);
    Files.write(file, new byte[] {0, 0, 0, 50, 1, 2, 3}, StandardOpenOption.APPEND);

    SchemaStore reopened = new SchemaStore(file, true);

    assertThat(reopened.all()).hasSize(1);
    assertThat(Files.size(file)).isEqualTo(intact);
    assertThat(reopened.register(table("c", "z")).id()).isEqualTo(2);
    assertThat(new SchemaStore(file, false).all())
        .extracting(TableSchema::id)
        .containsExactly(1, 2);
  }

  @Test
  void schemasOfManyColumnsAndTypesArePreserved(@TempDir Path dir) {
    TableSchema schema =
        new TableSchema(
            0,
            new TableName("s", "t"),
            List.of(
                Column.of("id", "uuid", ValueKind.UUID).asKey(0),
                Column.of("v", "jsonb", ValueKind.JSON)),
            ReplicaIdentity.FULL);
    int id = new SchemaStore(dir.resolve("schemas.bin"), true).register(schema).id();

    assertThat(new SchemaStore(dir.resolve("schemas.bin"), false).find(id).sameShape(schema))
        .isTrue();
  }
}
