package dev.sluice.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Source json and jsonb reach MongoDB as plain data: MongoDB's extended JSON ({@code $oid}, {@code
 * $date}, {@code $numberLong}) is not interpreted, and a key value that looks like a query operator
 * ({@code {"$ne": null}}) is matched as a value, never as a filter.
 */
class MongoJsonIT {
  @RegisterExtension
  static final PostgresExtension SOURCE = new PostgresExtension("mongo-json-source");

  private static Pipeline pipeline(TestTarget target) throws Exception {
    Pipeline p = new Pipeline(SOURCE.cluster());
    p.configure(
        """
        source: { url: "${SOURCE_URL}", slot: "${SLOT}", heartbeat: 1s }
        journal: { dir: "${DIR}/journal" }
        targets:
          t: %s
        rules:
          - { name: r, target: t, onError: skip }
        """
            .formatted(target.yaml()));
    return p;
  }

  @Test
  void jsonValuesThatLookLikeExtendedJsonOrOperatorsAreStoredAsTheDataTheyAre() throws Exception {
    try (TestTarget.Mongo target = new TestTarget.Mongo();
        Pipeline p = pipeline(target)) {
      p.sql(
          "CREATE TABLE docs(id int PRIMARY KEY, doc jsonb, raw json)",
          "INSERT INTO docs VALUES (1, '{\"$oid\": \"507f1f77bcf86cd799439011\"}',"
              + " '{\"$date\": \"2020-01-01T00:00:00Z\"}')");
      p.start();
      p.sql(
          "INSERT INTO docs VALUES (2, '{\"n\": {\"$numberLong\": \"5\"}, \"all\": {\"$ne\": null},"
              + " \"list\": [{\"$regex\": \"^a\"}, 1, 2.5, 12345678901, null, true, \"𝄞\"]}',"
              + " '[\"plain\", {\"$oid\": \"x\"}]')",
          "INSERT INTO docs VALUES (3, '\"just text\"', '-0.0')");
      p.flush(id -> target.has("flush_mark", id));

      List<Map<String, Object>> rows = target.rowsOf("docs");
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0).get("doc"))
          .isEqualTo(new Document("$oid", "507f1f77bcf86cd799439011"));
      assertThat(rows.get(0).get("raw")).isEqualTo(new Document("$date", "2020-01-01T00:00:00Z"));
      Document two = (Document) rows.get(1).get("doc");
      assertThat(two.get("n")).isEqualTo(new Document("$numberLong", "5"));
      assertThat(two.get("all")).isEqualTo(new Document("$ne", null));
      assertThat(two.getList("list", Object.class))
          .containsExactly(new Document("$regex", "^a"), 1, 2.5, 12345678901L, null, true, "𝄞");
      assertThat(rows.get(1).get("raw")).isEqualTo(List.of("plain", new Document("$oid", "x")));
      assertThat(rows.get(2).get("doc")).isEqualTo("just text");
      assertThat(rows.get(2).get("raw")).isEqualTo(-0.0);
    }
  }

  @Test
  void aKeyThatLooksLikeAnOperatorMatchesOnlyItsOwnDocument() throws Exception {
    try (TestTarget.Mongo target = new TestTarget.Mongo();
        Pipeline p = pipeline(target)) {
      p.sql(
          "CREATE TABLE by_json(k jsonb PRIMARY KEY, v int)",
          "CREATE TABLE by_text(k text PRIMARY KEY, v int)");
      p.start();
      p.sql(
          "INSERT INTO by_json VALUES ('{\"a\": 1}', 1), ('{\"b\": {\"c\": 2}}', 2),"
              + " ('{\"ne\": null}', 3)",
          "INSERT INTO by_text VALUES ('$ne', 1), ('a.b', 2), ('plain', 3)",
          "UPDATE by_json SET v = 30 WHERE k = '{\"ne\": null}'",
          "DELETE FROM by_json WHERE k = '{\"a\": 1}'",
          "UPDATE by_text SET v = 10 WHERE k = '$ne'",
          "DELETE FROM by_text WHERE k = 'a.b'");
      p.flush(id -> target.has("flush_mark", id));

      assertThat(target.rowsOf("by_json"))
          .extracting(r -> r.get("_id"), r -> r.get("v"))
          .containsExactlyInAnyOrder(
              tuple(new Document("b", new Document("c", 2)), 2),
              tuple(new Document("ne", null), 30));
      assertThat(target.rowsOf("by_text"))
          .extracting(r -> r.get("_id"), r -> r.get("v"))
          .containsExactlyInAnyOrder(tuple("$ne", 10), tuple("plain", 3));
    }
  }

  @Test
  void aKeyWithAFieldNameMongoDbRefusesInsideIdIsADeadLetterThatSaysWhy() throws Exception {
    try (TestTarget.Mongo target = new TestTarget.Mongo();
        Pipeline p = pipeline(target)) {
      p.sql("CREATE TABLE by_json(k jsonb PRIMARY KEY, v int)");
      p.start();
      p.sql(
          "INSERT INTO by_json VALUES ('{\"x\": 1}', 1), ('{\"$ne\": null}', 2), ('{\"a.b\": 1}', 3),"
              + " ('{\"y\": 2}', 4)",
          "UPDATE by_json SET v = 40 WHERE k = '{\"$ne\": null}'",
          "DELETE FROM by_json WHERE k = '{\"$ne\": null}'");
      p.flush(id -> target.has("flush_mark", id));

      assertThat(target.rowsOf("by_json"))
          .extracting(r -> r.get("_id"), r -> r.get("v"))
          .containsExactlyInAnyOrder(
              tuple(new Document("x", 1), 1), tuple(new Document("y", 2), 4));
      String letters = Files.readString(p.dir.resolve("journal/dead-letters/r.jsonl"));
      assertThat(letters)
          .contains("holds the field name '$ne'")
          .contains("holds the field name 'a.b'")
          .contains("MongoDB allows no field name that starts with '$' or contains '.' inside _id");
    }
  }
}
