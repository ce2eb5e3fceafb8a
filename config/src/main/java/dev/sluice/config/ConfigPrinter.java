package dev.sluice.config;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a configuration back as YAML, with every default filled in and every secret masked, for
 * {@code sluice validate} and logs. The output is valid input for {@link ConfigLoader}, except that
 * masked secrets must be given again.
 */
public final class ConfigPrinter {
  private ConfigPrinter() {}

  public static String toYaml(SluiceConfig config) {
    StringBuilder out = new StringBuilder();
    SourceConfig s = config.source();
    out.append("source:\n");
    line(out, 1, "url", Masking.maskUrl(s.url()));
    line(out, 1, "user", s.user());
    line(out, 1, "password", s.password() == null ? null : Secret.MASK);
    line(out, 1, "slot", s.slot());
    line(out, 1, "publication", s.publication());
    line(out, 1, "tables", list(s.tables()));
    line(out, 1, "snapshot", s.snapshot().yamlName());
    line(out, 1, "heartbeat", Durations.format(s.heartbeat()));
    line(out, 1, "connectTimeout", Durations.format(s.connectTimeout()));
    JournalConfig j = config.journal();
    out.append("journal:\n");
    line(out, 1, "dir", j.dir().toString());
    line(out, 1, "retention", Durations.format(j.retention()));
    line(out, 1, "sync", j.sync().yamlName());
    out.append("targets:").append(config.targets().isEmpty() ? " {}\n" : "\n");
    for (TargetConfig t : config.targets().values()) {
      out.append("  ").append(quote(t.name())).append(":\n");
      line(out, 2, "url", t.maskedUrl());
      line(out, 2, "user", t.user());
      line(out, 2, "password", t.password() == null ? null : Secret.MASK);
      line(out, 2, "connectTimeout", Durations.format(t.connectTimeout()));
      if (t.stream() != null) {
        line(out, 2, "stream", t.stream().name());
        line(out, 2, "subjectPrefix", t.stream().subjectPrefix());
        line(out, 2, "format", t.stream().format().yamlName());
        line(out, 2, "transactions", Boolean.toString(t.stream().transactions()));
        StreamAuth auth = t.stream().auth();
        line(out, 2, "token", auth.token() == null ? null : Secret.MASK);
        line(
            out,
            2,
            "credentials",
            auth.credentials() == null ? null : auth.credentials().toString());
        line(out, 2, "nkey", auth.nkey() == null ? null : Secret.MASK);
        line(out, 2, "tlsCa", auth.tlsCa() == null ? null : auth.tlsCa().toString());
        line(out, 2, "tlsCert", auth.tlsCert() == null ? null : auth.tlsCert().toString());
        line(out, 2, "tlsKey", auth.tlsKey() == null ? null : auth.tlsKey().toString());
      }
      if (t.kafka() != null) {
        kafka(out, t.kafka());
      }
    }
    out.append("rules:").append(config.rules().isEmpty() ? " []\n" : "\n");
    for (RuleConfig r : config.rules()) {
      out.append("  - name: ").append(quote(r.name())).append('\n');
      line(out, 2, "target", r.target());
      line(out, 2, "mode", r.mode().yamlName());
      line(out, 2, "tables", list(r.tables()));
      line(out, 2, "conflict", r.conflict().yamlName());
      line(out, 2, "rename", map(r.rename()));
      line(out, 2, "excludeColumns", map(r.excludeColumns()));
      line(
          out,
          2,
          "batch",
          "{ maxEvents: "
              + r.batch().maxEvents()
              + ", maxDelay: "
              + Durations.format(r.batch().maxDelay())
              + " }");
      line(out, 2, "onError", r.onError().yamlName());
      line(out, 2, "node", r.node());
    }
    out.append("replicas:").append(config.replicas().isEmpty() ? " {}\n" : "\n");
    for (ReplicaGroupConfig g : config.replicas().values()) {
      out.append("  ").append(quote(g.name())).append(":\n");
      line(out, 2, "routing", g.routing().yamlName());
      line(out, 2, "hysteresis", Durations.format(g.hysteresis()));
      out.append("    nodes:\n");
      for (NodeConfig n : g.nodes()) {
        out.append("      - name: ").append(quote(n.name())).append('\n');
        line(out, 4, "role", n.role() == null ? null : n.role().yamlName());
        line(out, 4, "url", Masking.maskUrl(n.url()));
        line(out, 4, "user", n.user());
        line(out, 4, "password", n.password() == null ? null : Secret.MASK);
        line(out, 4, "fedBy", n.fedBy());
        line(out, 4, "lagTolerance", n.lagTolerance().toString());
        line(out, 4, "connectTimeout", Durations.format(n.connectTimeout()));
      }
    }
    MonitorConfig m = config.monitor();
    out.append("monitor:\n");
    line(out, 1, "host", m.host());
    line(out, 1, "port", Integer.toString(m.port()));
    line(out, 1, "token", m.token() == null ? null : Secret.MASK);
    line(out, 1, "poll", Durations.format(m.poll()));
    line(out, 0, "state", config.state().toString());
    return out.toString();
  }

  private static void kafka(StringBuilder out, KafkaSettings k) {
    line(out, 2, "topicPrefix", k.topicPrefix());
    line(out, 2, "securityProtocol", k.securityProtocol());
    line(out, 2, "saslMechanism", k.saslMechanism());
    line(out, 2, "trustStore", k.trustStore() == null ? null : k.trustStore().toString());
    line(out, 2, "trustStorePassword", k.trustStorePassword() == null ? null : Secret.MASK);
    line(out, 2, "acks", k.acks());
    line(out, 2, "compression", k.compression());
    line(out, 2, "linger", Durations.format(k.linger()));
    line(out, 2, "batchSize", Integer.toString(k.batchSize()));
    line(out, 2, "partitions", Integer.toString(k.partitions()));
    line(out, 2, "replicationFactor", Integer.toString(k.replicationFactor()));
    line(
        out,
        2,
        "producer",
        k.producer().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(
                e ->
                    quote(e.getKey())
                        + ": "
                        + quote(
                            KafkaSettings.isSecretProperty(e.getKey())
                                ? Secret.MASK
                                : e.getValue()))
            .collect(Collectors.joining(", ", "{ ", " }"))
            .replace("{  }", "{}"));
  }

  private static void line(StringBuilder out, int depth, String key, String value) {
    if (value == null) {
      return;
    }
    out.append("  ".repeat(depth))
        .append(key)
        .append(": ")
        .append(value.startsWith("[") || value.startsWith("{") ? value : quote(value))
        .append('\n');
  }

  private static String list(List<?> items) {
    return items.stream().map(i -> quote(i.toString())).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String map(Map<TableName, ?> entries) {
    return entries.entrySet().stream()
        .map(
            e ->
                quote(e.getKey().toString())
                    + ": "
                    + (e.getValue() instanceof List<?> l
                        ? list(l)
                        : quote(e.getValue().toString())))
        .collect(Collectors.joining(", ", "{ ", " }"))
        .replace("{  }", "{}");
  }

  /** Quotes a scalar when YAML would otherwise read it differently. */
  static String quote(String value) {
    boolean plain =
        value.matches("[A-Za-z0-9_/.<][A-Za-z0-9_./@:+<>*-]*")
            && !value.endsWith(":") // jdbc:sqlite::memory: would read as a mapping key
            && !value.matches("(?i)true|false|yes|no|on|off|null|~")
            && !value.matches("[-+]?[0-9._]+([eE][-+]?[0-9]+)?");
    if (plain) {
      return value;
    }
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
