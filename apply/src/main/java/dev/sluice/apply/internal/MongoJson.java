package dev.sluice.apply.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * A source {@code json}/{@code jsonb} value as BSON, read as plain JSON data: objects become
 * embedded documents with the same field names in the same order, arrays become arrays, strings,
 * booleans and null stay what they are, and numbers become int, long or double. Nothing is
 * interpreted: {@code {"$oid": "…"}} stays a document with a field {@code $oid} (MongoDB's extended
 * JSON would make it an ObjectId), and {@code {"$ne": null}} stays a document (as a filter it would
 * match any document). Stateless and thread-safe.
 */
final class MongoJson {
  private static final JsonFactory JSON = new JsonFactory();

  private MongoJson() {}

  /** The value of a JSON text; the text itself when it is not valid JSON. */
  static Object value(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      Object value = read(parser, parser.nextToken());
      return parser.nextToken() == null ? value : text;
    } catch (IOException | IllegalArgumentException e) {
      return text;
    }
  }

  private static Object read(JsonParser parser, JsonToken token) throws IOException {
    if (token == null) {
      throw new IllegalArgumentException("no JSON value");
    }
    return switch (token) {
      case START_OBJECT -> object(parser);
      case START_ARRAY -> array(parser);
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> integer(parser);
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IllegalArgumentException("unexpected JSON token " + token);
    };
  }

  private static Document object(JsonParser parser) throws IOException {
    Document document = new Document();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      document.put(name, read(parser, parser.nextToken()));
    }
    return document;
  }

  private static List<Object> array(JsonParser parser) throws IOException {
    List<Object> list = new ArrayList<>();
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_ARRAY;
        token = parser.nextToken()) {
      list.add(read(parser, token));
    }
    return list;
  }

  /** An int when it fits, else a long, else (beyond 64 bits) a double. */
  private static Object integer(JsonParser parser) throws IOException {
    return switch (parser.getNumberType()) {
      case INT -> parser.getIntValue();
      case LONG -> parser.getLongValue();
      default -> parser.getDoubleValue();
    };
  }
}
