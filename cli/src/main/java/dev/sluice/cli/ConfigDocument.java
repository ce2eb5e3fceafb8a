package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The running configuration as a YAML document (the file's text as written, {@code ${VAR}}
 * references and all), which run-time changes through the API edit and which is then loaded and
 * validated exactly as the file is. Immutable: every change returns a new document.
 */
final class ConfigDocument {
  private final Map<String, Object> root;

  private ConfigDocument(Map<String, Object> root) {
    this.root = root;
  }

  /** The document of a configuration file's text (already validated by the loader). */
  @SuppressWarnings("unchecked")
  static ConfigDocument of(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(10);
    Object loaded = new Yaml(new SafeConstructor(options)).load(text);
    return new ConfigDocument(
        loaded instanceof Map<?, ?> map ? (Map<String, Object>) copy(map) : new LinkedHashMap<>());
  }

  /** Loads and validates the document as the loader does a file; relative paths as the file's. */
  SluiceConfig load(String origin, Path file) {
    Path dir = file.toAbsolutePath().normalize().getParent();
    return ConfigLoader.withSystemEnvironment().parse(text(), origin, dir, file);
  }

  /** The YAML text. */
  String text() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setWidth(200);
    return new Yaml(new Representer(options), options).dump(root);
  }

  /** How many rules there are (the index a rule added next gets). */
  int ruleCount() {
    return list(root, "rules").size();
  }

  /** The index of a group's next node. */
  int nodeCount(String group) {
    return list(group(group), "nodes").size();
  }

  /** With a rule added at the end of {@code rules:}. */
  ConfigDocument withRule(Map<String, Object> rule) {
    Map<String, Object> next = copyRoot();
    list(next, "rules").add(literal(rule));
    return new ConfigDocument(next);
  }

  /**
   * Without a rule.
   *
   * @throws NoSuchElementException when there is none of that name
   */
  ConfigDocument withoutRule(String name) {
    Map<String, Object> next = copyRoot();
    if (!list(next, "rules")
        .removeIf(r -> r instanceof Map<?, ?> m && name.equals(m.get("name")))) {
      throw new NoSuchElementException("no rule '" + name + "'");
    }
    return new ConfigDocument(next);
  }

  /**
   * With a node added to a group.
   *
   * @throws NoSuchElementException for an unknown group
   */
  ConfigDocument withNode(String group, Map<String, Object> node) {
    Map<String, Object> next = copyRoot();
    list(group(next, group), "nodes").add(literal(node));
    return new ConfigDocument(next);
  }

  /**
   * Without a node.
   *
   * @throws NoSuchElementException for an unknown group or node
   */
  ConfigDocument withoutNode(String group, String node) {
    Map<String, Object> next = copyRoot();
    if (!list(group(next, group), "nodes")
        .removeIf(n -> n instanceof Map<?, ?> m && node.equals(m.get("name")))) {
      throw new NoSuchElementException("group " + group + " has no node '" + node + "'");
    }
    return new ConfigDocument(next);
  }

  /**
   * With a group's {@code routing} and {@code hysteresis} set from {@code settings} (either or
   * both).
   *
   * @throws NoSuchElementException for an unknown group
   * @throws IllegalArgumentException for any other key
   */
  ConfigDocument withRouting(String group, Map<String, Object> settings) {
    for (String key : settings.keySet()) {
      if (!key.equals("routing") && !key.equals("hysteresis")) {
        throw new IllegalArgumentException(
            "unknown key '" + key + "' (known here: routing, hysteresis)");
      }
    }
    if (settings.isEmpty()) {
      throw new IllegalArgumentException("give routing, hysteresis or both");
    }
    Map<String, Object> next = copyRoot();
    group(next, group).putAll(literal(settings));
    return new ConfigDocument(next);
  }

  private Map<String, Object> group(String group) {
    return group(root, group);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> group(Map<String, Object> root, String group) {
    Object replicas = root.get("replicas");
    Object found = replicas instanceof Map<?, ?> m ? m.get(group) : null;
    if (!(found instanceof Map<?, ?>)) {
      throw new NoSuchElementException("no replica group '" + group + "'");
    }
    return (Map<String, Object>) found;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    if (!(value instanceof List<?>)) {
      value = new ArrayList<>();
      parent.put(key, value);
    }
    return (List<Object>) value;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> copyRoot() {
    return (Map<String, Object>) copy(root);
  }

  private static Object copy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), copy(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(copy(v)));
      return copy;
    }
    return value;
  }

  /**
   * A request's values with every {@code $} doubled: a value sent through the API is taken as it
   * is, never interpolated from the sidecar's environment (which would let a request read it).
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> literal(Map<String, Object> values) {
    return (Map<String, Object>) escape(copy(values));
  }

  private static Object escape(Object value) {
    if (value instanceof String text) {
      return text.replace("$", "$$");
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), escape(v)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(escape(v)));
      return copy;
    }
    return value;
  }
}
