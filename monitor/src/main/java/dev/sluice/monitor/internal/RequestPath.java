package dev.sluice.monitor.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Taking request paths and queries apart, refusing what could reach outside the routes. */
final class RequestPath {
  private RequestPath() {}

  /** The segments of a raw path, without the empty first one; {@code /} has none. */
  static List<String> split(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      segments.add(segment);
    }
    segments.remove(0);
    if (segments.size() == 1 && segments.get(0).isEmpty()) {
      segments.clear();
    }
    return segments;
  }

  /**
   * The decoded segments of a raw request path.
   *
   * @throws HttpError 404 for empty, {@code .} or {@code ..} segments (no traversal, no ambiguity),
   *     400 for bad percent-encoding
   */
  static List<String> decode(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      throw new HttpError(400, "the path must start with /");
    }
    List<String> decoded = new ArrayList<>();
    for (String raw : split(rawPath)) {
      String segment = decodeComponent(raw, false);
      if (segment.isEmpty()
          || segment.equals(".")
          || segment.equals("..")
          || segment.contains("/")
          || segment.contains("\\")
          || segment.indexOf('\0') >= 0) {
        throw new HttpError(404, "no such path");
      }
      decoded.add(segment);
    }
    return decoded;
  }

  /**
   * The query's parameters (the first value of each).
   *
   * @throws HttpError 400 for bad percent-encoding
   */
  static Map<String, String> query(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = decodeComponent(equals < 0 ? pair : pair.substring(0, equals), true);
      String value = equals < 0 ? "" : decodeComponent(pair.substring(equals + 1), true);
      parameters.putIfAbsent(name, value);
    }
    return parameters;
  }

  private static String decodeComponent(String raw, boolean plusIsSpace) {
    try {
      return URLDecoder.decode(plusIsSpace ? raw : raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "bad percent-encoding in the request");
    }
  }
}
