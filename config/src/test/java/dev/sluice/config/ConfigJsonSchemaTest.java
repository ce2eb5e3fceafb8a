package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema is valid draft-07, and it and the loader know exactly the same keys: the test
 * walks the key catalogue, builds a file that sets every key, and checks that the loader takes it,
 * that the schema takes it, that a misspelt key is refused by both at every level, and that
 * everything the loader gives back (through {@link ConfigPrinter}) is in the schema.
 */
class ConfigJsonSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

  private static final Map<String, Object> NAMES =
      Map.of(
          "targets.*.url", "nats://127.0.0.1:4222", // takes every target key
          "targets.*.nkey", "SUAEXAMPLESEED", // moved to t3: credentials exclude it
          "rules[].name", "r1",
          "rules[].target", "t2",
          "replicas.*.nodes[].name", "n1",
          "replicas.*.nodes[].fedBy", "r1");

  private final ConfigLoader loader = new ConfigLoader(Map.of());

  private static JsonNode schemaNode() throws Exception {
    return JSON.readTree(ConfigJsonSchema.json());
  }

  private static Set<String> errors(JsonNode document) throws Exception {
    JsonSchema schema = FACTORY.getSchema(schemaNode());
    Set<String> errors = new TreeSet<>();
    for (ValidationMessage message : schema.validate(document)) {
      errors.add(message.getMessage());
    }
    return errors;
  }

  private SluiceConfig load(Object document) throws Exception {
    return loader.parse(JSON.writeValueAsString(document), "sluice.yaml", Path.of("/etc"), null);
  }

  @Test
  void theSchemaIsValidDraft07JsonSchema() throws Exception {
    JsonSchema metaSchema =
        FACTORY.getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"));

    Set<ValidationMessage> errors = metaSchema.validate(schemaNode());

    assertThat(errors).isEmpty();
    assertThat(schemaNode().get("$schema").asText()).isEqualTo(ConfigJsonSchema.DRAFT);
  }

  @Test
  void aFileSettingEveryKeyOfTheCatalogueIsTakenByTheLoaderAndByTheSchema() throws Exception {
    Map<String, Object> everyKey = exampleSection(ConfigKeys.ROOT, "");

    SluiceConfig config = load(everyKey);

    assertThat(config.rules()).hasSize(2);
    assertThat(config.replicas().get("g1").nodes()).hasSize(2);
    assertThat(errors(JSON.valueToTree(everyKey))).isEmpty();
  }

  @Test
  void aMisspeltKeyIsRefusedByTheLoaderAndByTheSchemaAtEveryLevel() throws Exception {
    Map<String, Object> everyKey = exampleSection(ConfigKeys.ROOT, "");
    List<String> sections = new ArrayList<>();
    addUnknownKeys(everyKey, "", sections);

    assertThatThrownBy(() -> load(everyKey))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              List<String> unknown =
                  e.problems().stream()
                      .filter(p -> p.message().startsWith("unknown key 'zzUnknown'"))
                      .map(ConfigProblem::path)
                      .toList();
              assertThat(unknown).hasSize(sections.size());
            });
    assertThat(errors(JSON.valueToTree(everyKey)).stream().filter(m -> m.contains("zzUnknown")))
        .hasSize(sections.size());
  }

  @Test
  void everyKeyTheLoaderGivesBackIsInTheSchemaAndTheSchemaHasNoKeyTheLoaderLacks()
      throws Exception {
    SluiceConfig config = load(exampleSection(ConfigKeys.ROOT, ""));
    JsonNode printed = YAML.readTree(ConfigPrinter.toYaml(config));
    Set<String> printedPaths = new TreeSet<>();
    Set<String> schemaPaths = new TreeSet<>();

    paths(printed, "", printedPaths);
    schemaPaths(schemaNode(), "", schemaPaths);

    assertThat(printedPaths).isEqualTo(schemaPaths);
    assertThat(errors(printed)).isEmpty();
  }

  @Test
  void theDefaultsInTheCatalogueAreTheLoadersDefaults() throws Exception {
    SluiceConfig config =
        load(
            Map.of(
                "source",
                Map.of("url", "jdbc:postgresql://db/app"),
                "targets",
                // a nats: target prints every target key, its stream's too
                Map.of("t1", Map.of("url", "nats://127.0.0.1:4222")),
                "rules",
                List.of(Map.of("name", "r1", "target", "t1")),
                "replicas",
                Map.of(
                    "g1",
                    Map.of(
                        "nodes",
                        List.of(
                            Map.of(
                                "name",
                                "n1",
                                "role",
                                "master",
                                "url",
                                "jdbc:postgresql://db/app"))))));
    JsonNode printed = YAML.readTree(ConfigPrinter.toYaml(config));
    Map<String, String> checked = new LinkedHashMap<>();

    defaults(ConfigKeys.ROOT, printed, "", checked);

    assertThat(checked)
        .containsKeys("source.heartbeat", "journal.retention", "rules[].batch.maxDelay");
    checked.forEach(
        (path, mismatch) -> assertThat(mismatch).as(path).isEqualTo("the catalogue's default"));
  }

  @Test
  void theSchemaRefusesWrongValuesAndAcceptsEnvironmentReferences() throws Exception {
    JsonNode wrong =
        YAML.readTree(
            """
            source: { url: "jdbc:postgresql://db/app", snapshot: sometimes, heartbeat: soon }
            monitor: { port: 70000 }
            replicas: { app: { nodes: [ { name: a, role: master, url: x, lagTolerance: lots } ] } }
            """);
    JsonNode references =
        YAML.readTree(
            """
            source: { url: "${SOURCE_URL}", heartbeat: "${BEAT:-10s}", snapshot: "${SNAP}" }
            monitor: { port: "${PORT}", token: "${SLUICE_TOKEN}" }
            journal: { retention: 0, sync: none }
            """);

    assertThat(errors(wrong))
        .anyMatch(m -> m.contains("snapshot"))
        .anyMatch(m -> m.contains("heartbeat"))
        .anyMatch(m -> m.contains("port"))
        .anyMatch(m -> m.contains("lagTolerance"));
    assertThat(errors(references)).isEmpty();
    assertThat(errors(YAML.readTree("journal: {}\n"))).anyMatch(m -> m.contains("source"));
  }

  /** A value for every key of a mapping, by the key's kind. */
  private static Map<String, Object> exampleSection(ConfigKey section, String path) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigKey key : section.children()) {
      String at = path.isEmpty() ? key.name() : path + "." + key.name();
      values.put(key.name(), example(key, at));
    }
    return values;
  }

  @SuppressWarnings("unchecked")
  private static Object example(ConfigKey key, String path) {
    if (NAMES.containsKey(path)) {
      return NAMES.get(path);
    }
    return switch (key.kind()) {
      case STRING -> "ex";
      case SECRET -> "s3cret-value";
      case URL -> "jdbc:postgresql://127.0.0.1:5432/app";
      case PATH -> "./elsewhere";
      case INTEGER -> key.min() + 1;
      case DURATION -> "3s";
      case LAG_TOLERANCE -> "16MB";
      case CHOICE -> key.choices().get(key.choices().size() - 1);
      case BOOLEAN -> true;
      case TABLE_PATTERNS -> List.of("public.orders");
      case TABLE_RENAMES -> Map.of("public.orders", "orders");
      case TABLE_COLUMNS -> Map.of("public.orders", List.of("note"));
      case PROPERTIES -> new LinkedHashMap<>(Map.of("delivery.timeout.ms", 120000));
      case SECTION -> exampleSection(key, path);
      case NAMED_SECTIONS -> {
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put(key.name().equals("targets") ? "t1" : "g1", exampleSection(key, path + ".*"));
        if (key.name().equals("targets")) {
          // t1 takes every target key but a kafka: one's, t3 every key but a nats: one's; the
          // bidirectional rule needs a PostgreSQL peer that is not the source
          Map<String, Object> nats = (Map<String, Object>) sections.get("t1");
          Map<String, Object> kafka = new LinkedHashMap<>(nats);
          kafka.put("url", "kafka://127.0.0.1:9092,[::1]:9093");
          kafka.put("securityProtocol", "SASL_SSL");
          kafka.put("saslMechanism", "SCRAM-SHA-512");
          kafka.put("acks", "all");
          kafka.put("compression", "gzip");
          for (ConfigKey child : key.children()) {
            if (child.description().startsWith("kafka: targets only")) {
              nats.remove(child.name());
            } else if (child.description().startsWith("nats: targets only")) {
              kafka.remove(child.name());
            }
          }
          sections.put(
              "t2",
              new LinkedHashMap<>(Map.of("url", "jdbc:postgresql://127.0.0.1:5432/app_copy")));
          // a nats: target takes credentials or nkey, not both
          Map<String, Object> t1 = (Map<String, Object>) sections.get("t1");
          sections.put(
              "t3",
              new LinkedHashMap<>(
                  Map.of("url", "nats://127.0.0.1:4222", "nkey", t1.remove("nkey"))));
          sections.put("t4", kafka);
        }
        yield sections;
      }
      case SECTION_LIST -> {
        List<Object> items = new ArrayList<>();
        items.add(exampleSection(key, path + "[]"));
        if (key.name().equals("rules")) {
          // the last choice of every key makes the first rule bidirectional, which keeps its
          // tables' names and columns: a second rule carries those keys
          Map<String, Object> bidirectional = (Map<String, Object>) items.get(0);
          Map<String, Object> cdc = new LinkedHashMap<>();
          cdc.put("name", "r2");
          cdc.put("target", "t1");
          cdc.put("rename", bidirectional.remove("rename"));
          cdc.put("excludeColumns", bidirectional.remove("excludeColumns"));
          items.add(cdc);
        }
        if (key.name().equals("nodes")) {
          items.add(
              new LinkedHashMap<>(
                  Map.of("name", "m1", "role", "master", "url", "jdbc:postgresql://m/app")));
        }
        yield items;
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static void addUnknownKeys(Object node, String path, List<String> sections) {
    if (node instanceof Map<?, ?> map) {
      boolean named = path.endsWith("targets") || path.endsWith("replicas");
      boolean leaf =
          path.endsWith("rename") || path.endsWith("excludeColumns") || path.endsWith("producer");
      if (leaf) {
        return;
      }
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        addUnknownKeys(entry.getValue(), path + "." + entry.getKey(), sections);
      }
      if (!named) {
        ((Map<String, Object>) map).put("zzUnknown", 1);
        sections.add(path);
      }
    } else if (node instanceof List<?> list) {
      for (Object item : list) {
        addUnknownKeys(item, path + "[]", sections);
      }
    }
  }

  private static void paths(JsonNode node, String path, Set<String> out) {
    if (node.isObject()
        && !path.endsWith("rename")
        && !path.endsWith("excludeColumns")
        && !path.endsWith("producer")) {
      boolean named = path.equals("targets") || path.equals("replicas");
      node.properties()
          .forEach(
              e -> {
                String at = named ? path + ".*" : join(path, e.getKey());
                if (!named) {
                  out.add(at);
                }
                paths(e.getValue(), at, out);
              });
    } else if (node.isArray()) {
      node.forEach(item -> paths(item, path + "[]", out));
    }
  }

  private static void schemaPaths(JsonNode schema, String path, Set<String> out) {
    JsonNode properties = schema.get("properties");
    if (properties != null) {
      properties
          .properties()
          .forEach(
              e -> {
                String at = join(path, e.getKey());
                out.add(at);
                schemaPaths(e.getValue(), at, out);
              });
    }
    if (schema.has("items")) {
      schemaPaths(schema.get("items"), path + "[]", out);
    }
    if (schema.has("propertyNames")) {
      schemaPaths(schema.get("additionalProperties"), path + ".*", out);
    }
  }

  private static void defaults(
      ConfigKey section, JsonNode printed, String path, Map<String, String> checked) {
    for (ConfigKey key : section.children()) {
      String at = join(path, key.name());
      JsonNode value = printed.isArray() ? printed.get(0).get(key.name()) : printed.get(key.name());
      switch (key.kind()) {
        case SECTION -> defaults(key, value, at, checked);
        case SECTION_LIST -> defaults(key, value, at + "[]", checked);
        case NAMED_SECTIONS -> defaults(key, value.elements().next(), at + ".*", checked);
        case DURATION, CHOICE, INTEGER, STRING, LAG_TOLERANCE -> {
          if (key.defaultValue() != null) {
            checked.put(
                at,
                value != null && value.asText().equals(key.defaultValue())
                    ? "the catalogue's default"
                    : "catalogue " + key.defaultValue() + ", loader " + value);
          }
        }
        default -> {}
      }
    }
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
