package dev.sluice.config.internal;

import dev.sluice.config.ByteSize;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.Durations;
import dev.sluice.config.Secret;
import dev.sluice.config.YamlEnum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping being read into the configuration model. Every problem is recorded with its path
 * and line, and reading goes on so that all problems are reported at once. Readers return a default
 * (or null) after recording a problem.
 *
 * <p>Not thread-safe; one instance per read.
 */
public final class YamlSection {
  private final Context context;
  private final String path;
  private final int line;
  private final Map<String, Node> entries = new LinkedHashMap<>();
  private final Map<String, Integer> keyLines = new LinkedHashMap<>();

  private YamlSection(Context context, String path, int line) {
    this.context = context;
    this.path = path;
    this.line = line;
  }

  /** Shared state of one read: origin, environment and the problems found so far. */
  public static final class Context {
    private final String origin;
    private final Interpolator interpolator;
    private final List<ConfigProblem> problems = new ArrayList<>();

    public Context(String origin, Interpolator interpolator) {
      this.origin = origin;
      this.interpolator = interpolator;
    }

    public void problem(String path, int line, String message) {
      problems.add(new ConfigProblem(origin, path, line, message));
    }

    public List<ConfigProblem> problems() {
      return problems;
    }
  }

  /** Wraps a node that must be a mapping (or absent: null gives an empty section). */
  public static YamlSection of(Context context, String path, Node node) {
    YamlSection section = new YamlSection(context, path, node == null ? 0 : lineOf(node));
    if (node == null || isNull(node)) {
      return section;
    }
    if (!(node instanceof MappingNode mapping)) {
      context.problem(
          path, lineOf(node), "expected a mapping (key: value lines), found " + kind(node));
      return section;
    }
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        context.problem(
            path, lineOf(keyNode), "a key must be a plain name, found " + kind(keyNode));
        continue;
      }
      String key = scalarKey.getValue();
      if (section.entries.containsKey(key)) {
        context.problem(
            section.childPath(key),
            lineOf(keyNode),
            "duplicate key (first at line " + section.keyLines.get(key) + ")");
        continue;
      }
      section.entries.put(key, tuple.getValueNode());
      section.keyLines.put(key, lineOf(keyNode));
    }
    return section;
  }

  public String path() {
    return path;
  }

  public int line() {
    return line;
  }

  public Context context() {
    return context;
  }

  public boolean has(String key) {
    Node node = entries.get(key);
    return node != null && !isNull(node);
  }

  public Set<String> keys() {
    return entries.keySet();
  }

  public String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The line of a key, or of this section when the key is absent. */
  public int lineOf(String key) {
    return keyLines.getOrDefault(key, line);
  }

  /**
   * Records a problem about a key of this section. When the key's value came from environment
   * variables, their values are replaced by their references in the message (a secret put in the
   * wrong key is not printed).
   */
  public void problem(String key, String message) {
    context.problem(
        key == null ? path : childPath(key),
        key == null ? line : lineOf(key),
        key == null ? message : hideSubstituted(message, entries.get(key)));
  }

  private String hideSubstituted(String message, Node node) {
    return node instanceof ScalarNode scalar
        ? context.interpolator.hide(message, scalar.getValue())
        : message;
  }

  /** Reports every key that is not in {@code known}, with a suggestion when one is close. */
  public void allowOnly(String... known) {
    List<String> knownKeys = Arrays.asList(known);
    for (String key : entries.keySet()) {
      if (!knownKeys.contains(key)) {
        context.problem(
            childPath(key),
            keyLines.get(key),
            "unknown key '"
                + key
                + "'"
                + Suggestions.didYouMean(key, knownKeys)
                + " (known here: "
                + String.join(", ", knownKeys)
                + ")");
      }
    }
  }

  /** The interpolated text of a scalar, or empty when absent; a non-scalar is a problem. */
  public Optional<String> scalar(String key) {
    Node node = entries.get(key);
    if (node == null || isNull(node)) {
      return Optional.empty();
    }
    return scalarValue(childPath(key), node);
  }

  private Optional<String> scalarValue(String at, Node node) {
    if (!(node instanceof ScalarNode scalar)) {
      context.problem(at, lineOf(node), "expected a single value, found " + kind(node));
      return Optional.empty();
    }
    int before = context.problems.size();
    Consumer<String> problems = message -> context.problem(at, lineOf(node), message);
    String value =
        isUrl(at)
            ? context.interpolator.interpolateUrl(scalar.getValue(), problems)
            : context.interpolator.interpolate(scalar.getValue(), problems);
    return context.problems.size() > before ? Optional.empty() : Optional.of(value);
  }

  /** Whether the value at this path is a connection URL (a key named {@code url}). */
  private static boolean isUrl(String at) {
    return at.equals("url") || at.endsWith(".url");
  }

  public String string(String key, String defaultValue) {
    return scalar(key).orElse(defaultValue);
  }

  /** A value that must be present and not empty. */
  public String required(String key) {
    Optional<String> value = scalar(key);
    if (value.isEmpty() && !entries.containsKey(key)) {
      problem(null, "missing required key '" + key + "'");
    } else if (value.isPresent() && value.get().isBlank()) {
      problem(key, "must not be empty");
      return null;
    }
    return value.orElse(null);
  }

  public Secret secret(String key) {
    return scalar(key).map(Secret::of).orElse(null);
  }

  public int integer(String key, int defaultValue, int min, int max) {
    return parse(
        key,
        defaultValue,
        text -> {
          int value;
          try {
            value = Integer.parseInt(text.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
          }
          if (value < min || value > max) {
            throw new IllegalArgumentException(
                value + " is out of range (" + min + " to " + max + ")");
          }
          return value;
        });
  }

  public boolean bool(String key, boolean defaultValue) {
    return parse(
        key,
        defaultValue,
        text ->
            switch (text.trim()) {
              case "true" -> true;
              case "false" -> false;
              default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
            });
  }

  public Duration duration(String key, Duration defaultValue) {
    return parse(key, defaultValue, Durations::parse);
  }

  public ByteSize size(String key, ByteSize defaultValue) {
    return parse(key, defaultValue, ByteSize::parse);
  }

  public <E extends Enum<E> & YamlEnum> E choice(String key, Class<E> type, E defaultValue) {
    return parse(key, defaultValue, text -> YamlEnum.parse(type, text.trim()));
  }

  /** Parses a scalar; a parser's IllegalArgumentException becomes a problem at the key. */
  public <T> T parse(String key, T defaultValue, Function<String, T> parser) {
    Optional<String> text = scalar(key);
    if (text.isEmpty()) {
      return defaultValue;
    }
    try {
      return parser.apply(text.get());
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return defaultValue;
    }
  }

  /**
   * A list of scalars; a single scalar counts as a list of one. Each element is parsed; a parser's
   * IllegalArgumentException becomes a problem at the element.
   */
  public <T> List<T> list(String key, Function<String, T> parser) {
    Node node = entries.get(key);
    List<T> values = new ArrayList<>();
    if (node == null || isNull(node)) {
      return values;
    }
    if (node instanceof ScalarNode) {
      scalarValue(childPath(key), node)
          .ifPresent(text -> add(values, childPath(key), node, text, parser));
      return values;
    }
    if (!(node instanceof SequenceNode sequence)) {
      context.problem(childPath(key), lineOf(node), "expected a list, found " + kind(node));
      return values;
    }
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      String at = childPath(key) + "[" + i + "]";
      Node item = items.get(i);
      scalarValue(at, item).ifPresent(text -> add(values, at, item, text, parser));
    }
    return values;
  }

  private <T> void add(
      List<T> values, String at, Node node, String text, Function<String, T> parser) {
    try {
      values.add(parser.apply(text));
    } catch (IllegalArgumentException e) {
      context.problem(at, lineOf(node), hideSubstituted(e.getMessage(), node));
    }
  }

  /** A child mapping; absent gives an empty section. */
  public YamlSection section(String key) {
    return of(context, childPath(key), entries.get(key));
  }

  /** A list of mappings. */
  public List<YamlSection> sections(String key) {
    Node node = entries.get(key);
    List<YamlSection> sections = new ArrayList<>();
    if (node == null || isNull(node)) {
      return sections;
    }
    if (!(node instanceof SequenceNode sequence)) {
      context.problem(childPath(key), lineOf(node), "expected a list, found " + kind(node));
      return sections;
    }
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      sections.add(of(context, childPath(key) + "[" + i + "]", items.get(i)));
    }
    return sections;
  }

  /** The children of a mapping whose keys are names (targets, replica groups), in file order. */
  public Map<String, YamlSection> namedSections(String key) {
    YamlSection parent = section(key);
    Map<String, YamlSection> children = new LinkedHashMap<>();
    for (Map.Entry<String, Node> entry : parent.entries.entrySet()) {
      children.put(entry.getKey(), of(context, parent.childPath(entry.getKey()), entry.getValue()));
    }
    return children;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
  }

  static int lineOf(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }
}
