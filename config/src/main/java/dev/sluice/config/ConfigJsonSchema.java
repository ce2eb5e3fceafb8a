package dev.sluice.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON Schema (draft-07, the draft editors support best) of {@code sluice.yaml}, generated from
 * {@link ConfigKeys}: the same keys the loader accepts, with their descriptions, choices, defaults,
 * and the patterns of durations and sizes. Editors (VS Code's YAML extension, IntelliJ) use it to
 * complete and check keys when a file starts with {@code # yaml-language-server:
 * $schema=sluice.schema.json}.
 *
 * <p>Every value may also be an environment reference ({@code ${VAR}}, {@code ${VAR:-default}}),
 * which is only resolved when the file is loaded; the schema accepts those wherever a value goes.
 * What a schema cannot say (a rule's target must exist, one master per group, ...) is left to
 * {@code sluice validate}.
 */
public final class ConfigJsonSchema {
  /** The draft the schema follows. */
  public static final String DRAFT = "http://json-schema.org/draft-07/schema#";

  /** The file name {@code sluice schema} and {@code sluice init} use by default. */
  public static final String FILE_NAME = "sluice.schema.json";

  private static final String DURATION = "^\\s*(0|\\d+\\s*(ms|s|m|h|d))\\s*$";
  private static final String SIZE = "\\d+\\s*([bB]|[kKmMgGtT][bB])";
  private static final String LAG = "^\\s*(0|\\d+\\s*(ms|s|m|h|d)|" + SIZE + ")\\s*$";
  private static final String REFERENCE = "\\$\\{[^}]+\\}";

  private ConfigJsonSchema() {}

  /** The schema as pretty-printed JSON text. */
  public static String json() {
    return JsonText.write(schema()) + "\n";
  }

  /** The schema as a tree of maps, lists, strings, numbers and booleans. */
  static Map<String, Object> schema() {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("$schema", DRAFT);
    schema.put("title", "sluice.yaml");
    schema.putAll(mapping(ConfigKeys.ROOT, false));
    schema.put("definitions", definitions());
    return schema;
  }

  private static Map<String, Object> definitions() {
    Map<String, Object> defs = new LinkedHashMap<>();
    defs.put(
        "fromEnvironment",
        object(
            "type",
            "string",
            "pattern",
            REFERENCE,
            "description",
            "Taken from the environment when the file is loaded: ${VAR}, or ${VAR:-default}."));
    defs.put(
        "duration",
        object(
            "anyOf",
            List.of(
                object("type", "string", "pattern", DURATION),
                object("const", 0),
                reference("fromEnvironment")),
            "description",
            "A duration: 250ms, 10s, 5m, 2h, 7d, or 0."));
    defs.put(
        "lagTolerance",
        object(
            "anyOf",
            List.of(
                object("type", "string", "pattern", LAG),
                object("const", 0),
                reference("fromEnvironment")),
            "description",
            "A time (5s, 250ms) or an amount of WAL (512KB, 16MB, 1GB); 0 means fully caught"
                + " up."));
    defs.put(
        "tablePatterns",
        object(
            "anyOf",
            List.of(
                object("type", "string"),
                object("type", "array", "items", object("type", "string")),
                object("type", "null")),
            "description",
            "Tables or patterns: public.orders, \"inventory.*\", *.audit_?; an unqualified name is"
                + " in public; quote odd names: 'public.\"Order Items\"'."));
    return defs;
  }

  private static Map<String, Object> mapping(ConfigKey key, boolean nullable) {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("type", nullable ? List.of("object", "null") : "object");
    schema.put("description", key.description());
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    for (ConfigKey child : key.children()) {
      properties.put(child.name(), value(child));
      if (child.required()) {
        required.add(child.name());
      }
    }
    schema.put("properties", properties);
    if (!required.isEmpty()) {
      schema.put("required", required);
    }
    schema.put("additionalProperties", false);
    return schema;
  }

  private static Map<String, Object> value(ConfigKey key) {
    Map<String, Object> schema =
        switch (key.kind()) {
          case STRING, SECRET, URL, PATH -> scalar(key);
          case INTEGER ->
              anyOf(
                  object("type", "integer", "minimum", key.min(), "maximum", key.max()),
                  object("type", "string", "pattern", "^\\s*\\d+\\s*$"),
                  reference("fromEnvironment"));
          case DURATION -> allOf(reference("duration"));
          case LAG_TOLERANCE -> allOf(reference("lagTolerance"));
          case CHOICE -> anyOf(object("enum", key.choices()), reference("fromEnvironment"));
          case BOOLEAN ->
              anyOf(
                  object("type", "boolean"),
                  object("enum", List.of("true", "false")),
                  reference("fromEnvironment"));
          case TABLE_PATTERNS -> allOf(reference("tablePatterns"));
          case TABLE_RENAMES ->
              object(
                  "type",
                  List.of("object", "null"),
                  "additionalProperties",
                  object("type", "string"));
          case TABLE_COLUMNS ->
              object(
                  "type",
                  List.of("object", "null"),
                  "additionalProperties",
                  object(
                      "anyOf",
                      List.of(
                          object("type", "string"),
                          object("type", "array", "items", object("type", "string")))));
          case PROPERTIES ->
              object(
                  "type",
                  List.of("object", "null"),
                  "additionalProperties",
                  object("type", List.of("string", "number", "boolean")));
          case SECTION -> mapping(key, !key.required());
          case NAMED_SECTIONS ->
              object(
                  "type",
                  List.of("object", "null"),
                  "propertyNames",
                  object("pattern", "^" + ConfigLoader.NAME.pattern() + "$"),
                  "additionalProperties",
                  mapping(key, false));
          case SECTION_LIST ->
              object("type", List.of("array", "null"), "items", mapping(key, false));
        };
    Map<String, Object> described = new LinkedHashMap<>();
    described.put("description", describe(key));
    schema.remove("description"); // a section's own text; the key's (with its default) wins
    described.putAll(schema);
    if (key.defaultValue() != null) {
      described.put(
          "default",
          switch (key.kind()) {
            case INTEGER -> (Object) Long.parseLong(key.defaultValue());
            case BOOLEAN -> (Object) Boolean.parseBoolean(key.defaultValue());
            default -> key.defaultValue();
          });
    }
    return described;
  }

  private static String describe(ConfigKey key) {
    String text = key.description();
    if (key.kind() == ConfigKey.Kind.CHOICE) {
      text += " One of: " + String.join(" | ", key.choices()) + ".";
    }
    if (key.defaultValue() != null) {
      text += " Default: " + key.defaultValue() + ".";
    }
    if (key.kind() == ConfigKey.Kind.SECRET) {
      text += " Never logged or printed.";
    }
    return text;
  }

  private static Map<String, Object> scalar(ConfigKey key) {
    List<Object> types = new ArrayList<>(List.of("string", "number", "boolean"));
    if (!key.required()) {
      types.add("null");
    }
    Map<String, Object> schema = object("type", types);
    if (key.required()) {
      schema.put("minLength", 1);
    }
    return schema;
  }

  private static Map<String, Object> anyOf(Object... alternatives) {
    return object("anyOf", List.of(alternatives));
  }

  /** A reference with room beside it: in draft-07 keywords next to a bare $ref are ignored. */
  private static Map<String, Object> allOf(Map<String, Object> reference) {
    return object("allOf", List.of(reference));
  }

  private static Map<String, Object> reference(String definition) {
    return object("$ref", "#/definitions/" + definition);
  }

  private static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** Writes maps, lists, strings, numbers, booleans and null as indented JSON. */
  private static final class JsonText {
    private JsonText() {}

    static String write(Object value) {
      StringBuilder out = new StringBuilder();
      write(out, value, 0);
      return out.toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
      if (value instanceof Map<?, ?> map) {
        if (map.isEmpty()) {
          out.append("{}");
          return;
        }
        out.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          indent(out, depth + 1);
          string(out, entry.getKey().toString());
          out.append(": ");
          write(out, entry.getValue(), depth + 1);
          out.append(++i < map.size() ? ",\n" : "\n");
        }
        indent(out, depth);
        out.append('}');
      } else if (value instanceof List<?> list) {
        boolean simple = list.stream().noneMatch(v -> v instanceof Map || v instanceof List);
        if (simple) {
          out.append('[');
          for (int i = 0; i < list.size(); i++) {
            write(out, list.get(i), depth);
            out.append(i + 1 < list.size() ? ", " : "");
          }
          out.append(']');
          return;
        }
        out.append("[\n");
        for (int i = 0; i < list.size(); i++) {
          indent(out, depth + 1);
          write(out, list.get(i), depth + 1);
          out.append(i + 1 < list.size() ? ",\n" : "\n");
        }
        indent(out, depth);
        out.append(']');
      } else if (value instanceof String text) {
        string(out, text);
      } else {
        out.append(value); // numbers, booleans, null
      }
    }

    private static void indent(StringBuilder out, int depth) {
      out.append("  ".repeat(depth));
    }

    private static void string(StringBuilder out, String text) {
      out.append('"');
      for (char c : text.toCharArray()) {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\t' -> out.append("\\t");
          case '\r' -> out.append("\\r");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }
  }
}
