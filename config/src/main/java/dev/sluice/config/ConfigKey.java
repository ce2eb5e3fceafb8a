package dev.sluice.config;

import java.util.List;
import java.util.Optional;

/**
 * One key of {@code sluice.yaml}: its name, the kind of value it takes, what it means and its
 * default. {@link ConfigKeys} holds every key; the loader accepts exactly those keys, and {@link
 * ConfigJsonSchema} describes them for editors, so the two cannot drift apart.
 *
 * @param name the key as written in YAML (camelCase)
 * @param kind the kind of value
 * @param description what it means, one or two sentences for editors' hovers
 * @param defaultValue the default as written in YAML, or null when there is none (or it depends on
 *     other values)
 * @param required whether the key must be present
 * @param choices for {@link Kind#CHOICE}: the accepted values; empty otherwise
 * @param min for {@link Kind#INTEGER}: the smallest accepted value
 * @param max for {@link Kind#INTEGER}: the largest accepted value
 * @param children for the kinds that hold mappings ({@link Kind#SECTION}, {@link
 *     Kind#NAMED_SECTIONS}, {@link Kind#SECTION_LIST}): the keys of each mapping; empty otherwise
 */
public record ConfigKey(
    String name,
    Kind kind,
    String description,
    String defaultValue,
    boolean required,
    List<String> choices,
    long min,
    long max,
    List<ConfigKey> children) {

  /** The kinds of value a key takes. */
  public enum Kind {
    /** Any text. */
    STRING,
    /** A password or token: masked in every output. */
    SECRET,
    /** A JDBC URL or MongoDB connection string. */
    URL,
    /** A file or directory; relative to the configuration file's directory. */
    PATH,
    /** A whole number between {@code min} and {@code max}. */
    INTEGER,
    /** {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d}, or {@code 0}. */
    DURATION,
    /** A duration or a size ({@code 16MB}); {@code 0} means fully caught up. */
    LAG_TOLERANCE,
    /** One of {@code choices}. */
    CHOICE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A list of table patterns; a single pattern counts as a list of one. */
    TABLE_PATTERNS,
    /** A mapping from source table to a target name. */
    TABLE_RENAMES,
    /** A mapping from source table to a list of column names. */
    TABLE_COLUMNS,
    /** A mapping from property names to values (text, numbers or booleans), passed through. */
    PROPERTIES,
    /** A mapping with the keys {@code children}. */
    SECTION,
    /** A mapping from names the user chooses to mappings with the keys {@code children}. */
    NAMED_SECTIONS,
    /** A list of mappings with the keys {@code children}. */
    SECTION_LIST
  }

  public ConfigKey {
    choices = List.copyOf(choices);
    children = List.copyOf(children);
  }

  static ConfigKey of(String name, Kind kind, String defaultValue, String description) {
    return new ConfigKey(name, kind, description, defaultValue, false, List.of(), 0, 0, List.of());
  }

  static ConfigKey required(String name, Kind kind, String description) {
    return new ConfigKey(name, kind, description, null, true, List.of(), 0, 0, List.of());
  }

  static <E extends Enum<E> & YamlEnum> ConfigKey choice(
      String name, Class<E> type, E defaultValue, String description) {
    List<String> names =
        java.util.Arrays.stream(type.getEnumConstants()).map(YamlEnum::yamlName).toList();
    return new ConfigKey(
        name,
        Kind.CHOICE,
        description,
        defaultValue == null ? null : defaultValue.yamlName(),
        defaultValue == null,
        names,
        0,
        0,
        List.of());
  }

  static ConfigKey integer(String name, long defaultValue, long min, long max, String description) {
    return new ConfigKey(
        name,
        Kind.INTEGER,
        description,
        Long.toString(defaultValue),
        false,
        List.of(),
        min,
        max,
        List.of());
  }

  /** A whole number whose default depends on the target (none in the catalogue). */
  static ConfigKey integer(String name, long min, long max, String description) {
    return new ConfigKey(
        name, Kind.INTEGER, description, null, false, List.of(), min, max, List.of());
  }

  static ConfigKey mappings(String name, Kind kind, String description, ConfigKey... children) {
    return new ConfigKey(name, kind, description, null, false, List.of(), 0, 0, List.of(children));
  }

  /** This key, required. */
  ConfigKey asRequired() {
    return new ConfigKey(name, kind, description, defaultValue, true, choices, min, max, children);
  }

  /** The names of {@link #children()}, in order: what {@code allowOnly} accepts. */
  public String[] childNames() {
    return children.stream().map(ConfigKey::name).toArray(String[]::new);
  }

  /** A child key by name. */
  public Optional<ConfigKey> child(String childName) {
    return children.stream().filter(c -> c.name().equals(childName)).findFirst();
  }
}
