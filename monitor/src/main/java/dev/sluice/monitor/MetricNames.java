package dev.sluice.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How names in the Dropwizard {@link com.codahale.metrics.MetricRegistry} become Prometheus names
 * and labels on {@code /metrics}.
 *
 * <p>A registry name is a dotted family name, optionally followed by labels in braces: {@code
 * capture.events} or {@code rule.apply.batches{rule=pg-to-mongo}}. On {@code /metrics} the family
 * gets the prefix {@code sluice_}, and every character other than letters, digits and {@code _}
 * becomes {@code _}; counters and meters are counters (their samples end in {@code _total}), gauges
 * (of numbers or booleans) are gauges, histograms are summaries, timers are summaries in seconds
 * (with a {@code _seconds} suffix). So {@code capture.events} (a meter) is {@code
 * sluice_capture_events_total}, and {@code rule.apply.batches{rule=pg-to-mongo}} (a counter) is
 * {@code sluice_rule_apply_batches_total{rule="pg-to-mongo"}}.
 *
 * <p>Build labelled names with {@link #labelled}, {@link #rule} and {@link #replica} rather than by
 * hand: they escape {@code \ , = }} in values. Registry names with the same family and different
 * labels become one Prometheus family; keep one metric type and one set of label names per family.
 *
 * <p>The monitor itself exports the figures of its {@link Snapshot} under reserved families ({@code
 * sluice_capture_*}, {@code sluice_journal_*}, {@code sluice_rule_lag_*}, {@code sluice_rule_*},
 * {@code sluice_replica_*}, {@code sluice_health_ok}; docs/http-api.md lists them); a registry
 * metric whose family is one of those is left out.
 */
public final class MetricNames {
  /** What every exported family name starts with. */
  public static final String PREFIX = "sluice_";

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern FAMILY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.:-]*");

  private MetricNames() {}

  /**
   * A registry name with labels: {@code labelled("rule.lag.seconds", "rule", "pg-to-mongo")} is
   * {@code rule.lag.seconds{rule=pg-to-mongo}}.
   *
   * @param family the dotted family name
   * @param labels label names and values, alternating
   * @throws IllegalArgumentException on a bad family or label name, or an odd number of labels
   */
  public static String labelled(String family, String... labels) {
    if (!FAMILY.matcher(family).matches()) {
      throw new IllegalArgumentException("'" + family + "' is not a metric family name");
    }
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in name, value pairs");
    }
    if (labels.length == 0) {
      return family;
    }
    StringBuilder name = new StringBuilder(family).append('{');
    for (int i = 0; i < labels.length; i += 2) {
      if (!LABEL_NAME.matcher(labels[i]).matches()) {
        throw new IllegalArgumentException("'" + labels[i] + "' is not a label name");
      }
      if (i > 0) {
        name.append(',');
      }
      name.append(labels[i]).append('=').append(escape(labels[i + 1]));
    }
    return name.append('}').toString();
  }

  /** A per-rule metric: {@code rule("apply.batches", "pg-to-mongo")}. */
  public static String rule(String metric, String rule) {
    return labelled("rule." + metric, "rule", rule);
  }

  /** A per-replica metric: {@code replica("probe.failures", "app", "standby-1")}. */
  public static String replica(String metric, String group, String node) {
    return labelled("replica." + metric, "group", group, "node", node);
  }

  /**
   * A registry name taken apart.
   *
   * @param family the Prometheus family name, prefixed and sanitised ({@code sluice_rule_lag})
   * @param labels label names and values, in the order written
   */
  public record Parsed(String family, Map<String, String> labels) {}

  /**
   * Takes a registry name apart.
   *
   * @throws IllegalArgumentException when its labels are malformed
   */
  public static Parsed parse(String registryName) {
    int brace = registryName.indexOf('{');
    String family = brace < 0 ? registryName : registryName.substring(0, brace);
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace >= 0) {
      if (!registryName.endsWith("}")) {
        throw new IllegalArgumentException("'" + registryName + "': labels do not end with }");
      }
      for (String pair : split(registryName.substring(brace + 1, registryName.length() - 1))) {
        int equals = indexOfUnescaped(pair, '=');
        String label = equals < 0 ? "" : pair.substring(0, equals);
        if (!LABEL_NAME.matcher(label).matches()) {
          throw new IllegalArgumentException("'" + registryName + "': bad label '" + pair + "'");
        }
        labels.put(label, unescape(pair.substring(equals + 1)));
      }
    }
    return new Parsed(prometheusName(family), labels);
  }

  /** The Prometheus family name for a dotted family name. */
  public static String prometheusName(String family) {
    String sanitised = family.replaceAll("[^a-zA-Z0-9_]", "_");
    return sanitised.startsWith(PREFIX) ? sanitised : PREFIX + sanitised;
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace("}", "\\}");
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        c = value.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }

  private static List<String> split(String labels) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < labels.length(); i++) {
      char c = labels.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == ',') {
        parts.add(labels.substring(start, i));
        start = i + 1;
      }
    }
    if (start < labels.length() || !parts.isEmpty()) {
      parts.add(labels.substring(start));
    }
    return parts;
  }

  private static int indexOfUnescaped(String text, char wanted) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == wanted) {
        return i;
      }
    }
    return -1;
  }
}
