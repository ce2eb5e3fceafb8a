package dev.sluice.monitor.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path with {@code {name}} segments, like {@code /api/replicas/{group}/promote}. A parameter
 * matches one whole segment.
 */
final class PathPattern {
  private final String text;
  private final List<String> segments;

  private PathPattern(String text, List<String> segments) {
    this.text = text;
    this.segments = segments;
  }

  /**
   * @throws IllegalArgumentException when it does not start with {@code /}
   */
  static PathPattern of(String text) {
    if (!text.startsWith("/") || text.contains("//")) {
      throw new IllegalArgumentException("'" + text + "' is not a path like /api/x/{name}/y");
    }
    return new PathPattern(text, RequestPath.split(text));
  }

  /** The parameters when the (decoded) segments match, else empty. */
  Optional<Map<String, String>> match(List<String> path) {
    if (path.size() != segments.size()) {
      return Optional.empty();
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      if (segment.startsWith("{") && segment.endsWith("}")) {
        parameters.put(segment.substring(1, segment.length() - 1), path.get(i));
      } else if (!segment.equals(path.get(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(parameters);
  }

  @Override
  public String toString() {
    return text;
  }
}
