package dev.sluice.config;

import dev.sluice.config.internal.DatabaseAddress;
import dev.sluice.config.internal.Interpolator;
import dev.sluice.config.internal.Suggestions;
import dev.sluice.config.internal.YamlSection;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code sluice.yaml} into a {@link SluiceConfig}: interpolates {@code ${VAR}} and {@code
 * ${VAR:-default}} from the environment, fills defaults, checks every key and value, and reports
 * every problem at once, each with its YAML path and line.
 *
 * <p>The YAML is read as a tree of nodes; no Java type is ever constructed from it. Relative paths
 * (journal directory, state file, SQLite files) are resolved against the file's directory.
 *
 * <p>Thread-safe: it keeps no state between loads.
 */
public final class ConfigLoader {
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}");
  private static final java.util.Set<RuleMode> STREAM_MODES =
      java.util.EnumSet.of(RuleMode.CDC, RuleMode.MIRROR, RuleMode.APPEND);
  private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final Pattern KAFKA_URL =
      Pattern.compile(
          "//(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):\\d{1,5}(,(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+):\\d{1,5})*/?");
  private static final List<String> KAFKA_KEYS =
      List.of(
          "topicPrefix",
          "securityProtocol",
          "saslMechanism",
          "trustStore",
          "trustStorePassword",
          "acks",
          "compression",
          "linger",
          "batchSize",
          "partitions",
          "replicationFactor",
          "producer");
  private static final Map<String, String> OWNED_BY_KEY =
      Map.of(
          "bootstrap.servers", "url",
          "acks", "acks",
          "security.protocol", "securityProtocol",
          "sasl.mechanism", "saslMechanism",
          "sasl.jaas.config", "user and password",
          "ssl.truststore.location", "trustStore",
          "ssl.truststore.password", "trustStorePassword",
          "compression.type", "compression",
          "linger.ms", "linger",
          "batch.size", "batchSize");
  private static final Pattern SUBJECT_PREFIX =
      Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

  /** What a rule without {@code tables:} covers. */
  private static final TablePattern EVERY_TABLE = TablePattern.parse("*.*");

  private final Map<String, String> environment;

  /** A loader that interpolates from {@code environment}. */
  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** A loader that interpolates from the process environment. */
  public static ConfigLoader withSystemEnvironment() {
    return new ConfigLoader(System.getenv());
  }

  /**
   * Loads and validates a file.
   *
   * @throws ConfigException with every problem found, including a missing or unreadable file
   */
  public SluiceConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw single(file.toString(), "file not found (create one with 'sluice init')");
    } catch (IOException e) {
      throw single(file.toString(), "cannot read the file: " + e.getMessage());
    }
    Path absolute = file.toAbsolutePath().normalize();
    return parse(text, file.toString(), absolute.getParent(), absolute);
  }

  /**
   * Parses and validates YAML text.
   *
   * @param origin how problems name the text (usually the file name)
   * @param baseDir the directory relative paths are resolved against
   * @param file the file the text came from, or null
   * @throws ConfigException with every problem found
   */
  public SluiceConfig parse(String text, String origin, Path baseDir, Path file) {
    Interpolator interpolator = new Interpolator(environment);
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true); // reported by YamlSection with both lines
      options.setMaxAliasesForCollections(10);
      root =
          new Yaml(new SafeConstructor(options))
              .compose(new StringReader(interpolator.protect(text)));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine() + 1;
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String column = mark == null ? "" : " at column " + (mark.getColumn() + 1);
      String message =
          what.startsWith(GLOBAL_TAG_REFUSED)
              ? refusedTag(what.substring(GLOBAL_TAG_REFUSED.length()).trim())
              : "malformed YAML" + column + ": " + what;
      throw new ConfigException(List.of(new ConfigProblem(origin, "", line, message)));
    } catch (YAMLException e) {
      throw single(origin, "malformed YAML: " + e.getMessage());
    }
    if (root == null) {
      throw single(origin, "the file is empty; it needs at least 'source: { url: ... }'");
    }
    List<ConfigProblem> tags = new ArrayList<>();
    refuseTags(root, origin, tags);
    if (!tags.isEmpty()) {
      throw new ConfigException(tags);
    }
    YamlSection.Context context = new YamlSection.Context(origin, interpolator);
    SluiceConfig config =
        new Reader(context, baseDir).read(YamlSection.of(context, "", root), file);
    if (!context.problems().isEmpty()) {
      throw new ConfigException(context.problems());
    }
    return config;
  }

  /** How SnakeYAML's tag inspector refuses a global tag such as {@code !!java.net.URL}. */
  private static final String GLOBAL_TAG_REFUSED = "Global tag is not allowed:";

  private static String refusedTag(String tag) {
    return "the YAML tag '"
        + (tag.startsWith(Tag.PREFIX) ? "!!" + tag.substring(Tag.PREFIX.length()) : tag)
        + "' is not allowed: Sluice reads plain values, lists and mappings only"
        + " and never constructs objects from YAML; remove the tag";
  }

  /** The only YAML tags a configuration may carry: plain scalars, lists and mappings. */
  private static final Set<Tag> PLAIN_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.SEQ, Tag.MAP, Tag.TIMESTAMP);

  /**
   * Reports every node with an explicit tag such as {@code !!javax.script.ScriptEngineManager}:
   * nothing is ever constructed from such a tag, and it is refused so that nobody believes it did.
   */
  private static void refuseTags(Node node, String origin, List<ConfigProblem> problems) {
    if (!PLAIN_TAGS.contains(node.getTag())) {
      problems.add(
          new ConfigProblem(
              origin,
              "",
              node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1,
              refusedTag(node.getTag().getValue())));
      return;
    }
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        refuseTags(tuple.getKeyNode(), origin, problems);
        refuseTags(tuple.getValueNode(), origin, problems);
      }
    } else if (node instanceof SequenceNode sequence) {
      for (Node item : sequence.getValue()) {
        refuseTags(item, origin, problems);
      }
    }
  }

  private static ConfigException single(String origin, String message) {
    return new ConfigException(List.of(new ConfigProblem(origin, "", 0, message)));
  }

  /** One read of one document. */
  private static final class Reader {
    private final YamlSection.Context context;
    private final Path baseDir;

    Reader(YamlSection.Context context, Path baseDir) {
      this.context = context;
      this.baseDir = baseDir;
    }

    SluiceConfig read(YamlSection root, Path file) {
      root.allowOnly(ConfigKeys.ROOT.childNames());
      SourceConfig source = source(root);
      JournalConfig journal = journal(root.section("journal"));
      Map<String, TargetConfig> targets = targets(root, source);
      List<RuleConfig> rules = rules(root, targets, source);
      if (rules.isEmpty() && !targets.isEmpty()) {
        String first = targets.keySet().iterator().next();
        root.problem(
            "targets",
            "targets are defined ("
                + String.join(", ", targets.keySet())
                + ") but no rule sends changes to them; add one, e.g. rules: [ { name: to-"
                + first
                + ", target: "
                + first
                + " } ], or remove the targets");
      }
      Map<String, ReplicaGroupConfig> replicas = replicas(root, rules);
      MonitorConfig monitor = monitor(root.section("monitor"));
      Path state = root.parse("state", baseDir.resolve("sluice-state.json"), this::path);
      return new SluiceConfig(file, source, journal, targets, rules, replicas, monitor, state);
    }

    private SourceConfig source(YamlSection root) {
      if (!root.has("source")) {
        root.problem(null, "missing required section 'source' (the PostgreSQL primary to capture)");
      }
      YamlSection s = root.section("source");
      s.allowOnly(ConfigKeys.SOURCE.childNames());
      String url = root.has("source") ? s.required("url") : null;
      PostgresUrl parsed = null;
      if (url != null) {
        if (Dialect.ofUrl(url).orElse(null) != Dialect.POSTGRESQL) {
          s.problem("url", "the source must be PostgreSQL: jdbc:postgresql://host:5432/database");
        } else {
          try {
            parsed = PostgresUrl.parse(url);
          } catch (IllegalArgumentException e) {
            s.problem("url", e.getMessage());
          }
        }
      }
      String defaultUser =
          parsed == null ? "postgres" : parsed.parameters().getOrDefault("user", "postgres");
      String user = s.string("user", defaultUser);
      Secret password = s.secret("password");
      if (password == null && parsed != null && parsed.parameters().containsKey("password")) {
        password = Secret.of(parsed.parameters().get("password"));
      }
      String slot =
          s.parse(
              "slot",
              "sluice",
              text -> {
                if (!SLOT_NAME.matcher(text).matches()) {
                  throw new IllegalArgumentException(
                      "'"
                          + text
                          + "' is not a slot name: only lowercase letters, digits and underscores,"
                          + " at most 63");
                }
                return text;
              });
      String publication =
          s.parse(
              "publication",
              "sluice",
              text -> {
                if (!SLOT_NAME.matcher(text).matches()) {
                  throw new IllegalArgumentException(
                      "'"
                          + text
                          + "' is not a publication name: only lowercase letters, digits and"
                          + " underscores, at most 63");
                }
                return text;
              });
      List<TablePattern> tables = s.list("tables", TablePattern::parse);
      SnapshotMode snapshot = s.choice("snapshot", SnapshotMode.class, SnapshotMode.INITIAL);
      Duration heartbeat = s.duration("heartbeat", Duration.ofSeconds(10));
      Duration connectTimeout = connectTimeout(s, SourceConfig.DEFAULT_CONNECT_TIMEOUT);
      return new SourceConfig(
          url, user, password, slot, publication, tables, snapshot, heartbeat, connectTimeout);
    }

    private JournalConfig journal(YamlSection s) {
      s.allowOnly(ConfigKeys.JOURNAL.childNames());
      Path dir = s.parse("dir", baseDir.resolve("sluice-journal"), this::path);
      Duration retention = s.duration("retention", Duration.ofDays(7));
      if (retention.isZero()) {
        s.problem("retention", "must be longer than 0 (e.g. 7d)");
      }
      SyncPolicy sync = s.choice("sync", SyncPolicy.class, SyncPolicy.BATCH);
      return new JournalConfig(dir, retention, sync);
    }

    private Map<String, TargetConfig> targets(YamlSection root, SourceConfig source) {
      Map<String, TargetConfig> targets = new LinkedHashMap<>();
      DatabaseAddress sourceAddress = DatabaseAddress.of(source.url()).orElse(null);
      for (Map.Entry<String, YamlSection> entry : root.namedSections("targets").entrySet()) {
        String name = entry.getKey();
        YamlSection t = entry.getValue();
        if (!NAME.matcher(name).matches()) {
          t.problem(null, "'" + name + "' is not a valid name: letters, digits, '_', '-', '.'");
        }
        t.allowOnly(ConfigKeys.TARGETS.childNames());
        String url = t.required("url");
        Dialect dialect = null;
        if (url != null) {
          dialect = Dialect.ofUrl(url).orElse(null);
          if (dialect == null) {
            t.problem(
                "url",
                "'"
                    + Masking.maskUrl(url)
                    + "' is not a supported target URL; expected jdbc:postgresql:,"
                    + " jdbc:mysql: or jdbc:mariadb:, jdbc:sqlite:, mongodb:, nats: or kafka:");
          } else if (dialect == Dialect.SQLITE) {
            url = resolveSqlite(url);
          } else if (sourceAddress != null
              && DatabaseAddress.of(url).filter(sourceAddress::equals).isPresent()) {
            t.problem(
                "url",
                "target "
                    + name
                    + " is the source itself ("
                    + sourceAddress
                    + "): its rules would write the captured tables back into the tables they"
                    + " are captured from; point it at another database");
          }
        }
        StreamSettings stream = null;
        KafkaSettings kafka = null;
        if (dialect == Dialect.NATS) {
          stream = streamSettings(t);
        } else {
          onlyFor(t, STREAM_ONLY_KEYS, "nats:");
        }
        if (dialect == Dialect.KAFKA) {
          kafkaBrokers(t, url);
          kafka = kafkaSettings(t);
        } else {
          onlyFor(t, KAFKA_KEYS, "kafka:");
        }
        targets.put(
            name,
            new TargetConfig(
                name,
                url,
                t.string("user", null),
                t.secret("password"),
                dialect,
                connectTimeout(t, TargetConfig.DEFAULT_CONNECT_TIMEOUT),
                stream,
                kafka));
      }
      return targets;
    }

    private static void onlyFor(YamlSection t, List<String> keys, String scheme) {
      for (String key : keys) {
        if (t.has(key)) {
          t.problem(key, key + " applies only to " + scheme + " targets");
        }
      }
    }

    /** {@code kafka://host:port,host2:port}: the bootstrap servers, each with its port. */
    private static void kafkaBrokers(YamlSection t, String url) {
      String rest = url.substring("kafka:".length());
      if (!KAFKA_URL.matcher(rest).matches()) {
        t.problem(
            "url",
            "'"
                + Masking.maskUrl(url)
                + "' is not a Kafka URL; expected kafka://host:port or"
                + " kafka://host:port,host2:port (the bootstrap servers)");
      }
    }

    private KafkaSettings kafkaSettings(YamlSection t) {
      String prefix = t.string("topicPrefix", KafkaSettings.DEFAULT_TOPIC_PREFIX);
      if (!TOPIC_PREFIX.matcher(prefix).matches()) {
        t.problem(
            "topicPrefix",
            "'"
                + prefix
                + "' is not a valid topic prefix: letters, digits, '.', '_', '-' (at most 200)");
      }
      boolean sasl = t.has("user");
      String protocol =
          oneOf(
              t,
              "securityProtocol",
              sasl ? "SASL_PLAINTEXT" : "PLAINTEXT",
              KafkaSettings.SECURITY_PROTOCOLS,
              true);
      String mechanism = oneOf(t, "saslMechanism", "PLAIN", KafkaSettings.SASL_MECHANISMS, true);
      if (protocol.startsWith("SASL_") && !sasl) {
        t.problem(
            "securityProtocol",
            protocol + " needs user and password (the SASL " + mechanism + " credentials)");
      } else if (sasl && !protocol.startsWith("SASL_")) {
        t.problem(
            "user",
            "a user is sent with SASL only; set securityProtocol to SASL_PLAINTEXT or SASL_SSL");
      }
      Path trustStore = t.parse("trustStore", null, this::path);
      Secret trustPassword = t.secret("trustStorePassword");
      if (trustStore != null && !protocol.endsWith("SSL")) {
        t.problem("trustStore", "a trust store is used with SSL or SASL_SSL only");
      }
      if (trustPassword != null && trustStore == null) {
        t.problem("trustStorePassword", "a trust store password needs trustStore");
      }
      String acks = t.string("acks", "all");
      if (!acks.equals("all") && !acks.equals("-1")) {
        t.problem(
            "acks",
            "'"
                + acks
                + "': a kafka: target's producer is idempotent and transactional (exactly once),"
                + " which needs acks all");
      }
      String compression = oneOf(t, "compression", "none", KafkaSettings.COMPRESSIONS, false);
      Duration linger = t.duration("linger", Duration.ofMillis(5));
      int batchSize = t.integer("batchSize", 65536, 1, Integer.MAX_VALUE);
      int partitions = t.integer("partitions", 0, 0, 100_000);
      int replication = t.integer("replicationFactor", 0, 0, Short.MAX_VALUE);
      Map<String, String> producer = new java.util.TreeMap<>();
      YamlSection properties = t.section("producer");
      for (String name : properties.keys()) {
        String value = properties.string(name, "");
        if (KafkaSettings.OWNED_PROPERTIES.contains(name)) {
          properties.problem(
              name,
              "producer property "
                  + name
                  + " is set by Sluice"
                  + (OWNED_BY_KEY.containsKey(name)
                      ? " from the key " + OWNED_BY_KEY.get(name)
                      : " (the producer is idempotent and transactional for exactly once)")
                  + "; remove it from producer:");
        } else {
          producer.put(name, value);
        }
      }
      return new KafkaSettings(
          prefix,
          protocol,
          mechanism,
          trustStore,
          trustPassword,
          "all",
          compression,
          linger,
          batchSize,
          partitions,
          replication,
          producer);
    }

    private static String oneOf(
        YamlSection t, String key, String defaultValue, Set<String> allowed, boolean upper) {
      String value = t.string(key, defaultValue);
      String normal =
          upper
              ? value.toUpperCase(java.util.Locale.ROOT)
              : value.toLowerCase(java.util.Locale.ROOT);
      if (!allowed.contains(normal)) {
        t.problem(
            key,
            "'" + value + "' is not one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
        return defaultValue;
      }
      return normal;
    }

    private static final List<String> STREAM_ONLY_KEYS =
        List.of(
            "stream",
            "subjectPrefix",
            "format",
            "transactions",
            "token",
            "credentials",
            "nkey",
            "tlsCa",
            "tlsCert",
            "tlsKey");

    private StreamSettings streamSettings(YamlSection t) {
      String stream = t.string("stream", StreamSettings.DEFAULT_NAME);
      if (!STREAM_NAME.matcher(stream).matches()) {
        t.problem(
            "stream",
            "'" + stream + "' is not a valid JetStream stream name: letters, digits, '_', '-'");
      }
      String prefix = t.string("subjectPrefix", StreamSettings.DEFAULT_SUBJECT_PREFIX);
      if (!SUBJECT_PREFIX.matcher(prefix).matches()) {
        t.problem(
            "subjectPrefix",
            "'"
                + prefix
                + "' is not a valid subject prefix: tokens of letters, digits, '_', '-'"
                + " separated by '.'");
      }
      StreamFormat format = t.choice("format", StreamFormat.class, StreamFormat.DEBEZIUM);
      boolean transactions = t.bool("transactions", false);
      return new StreamSettings(stream, prefix, format, transactions, streamAuth(t));
    }

    private StreamAuth streamAuth(YamlSection t) {
      Secret token = t.secret("token");
      Path credentials = t.parse("credentials", null, this::path);
      Secret nkey = t.secret("nkey");
      if (credentials != null && nkey != null) {
        t.problem("nkey", "set credentials or nkey, not both (each signs the server's challenge)");
      }
      if (nkey != null && !nkey.reveal().startsWith("SU")) {
        t.problem("nkey", "an NKey user seed starts with SU");
      }
      Path tlsCa = t.parse("tlsCa", null, this::path);
      Path tlsCert = t.parse("tlsCert", null, this::path);
      Path tlsKey = t.parse("tlsKey", null, this::path);
      if ((tlsCert == null) != (tlsKey == null)) {
        t.problem(
            tlsCert == null ? "tlsKey" : "tlsCert",
            "tlsCert and tlsKey go together (the client certificate and its private key)");
      }
      return new StreamAuth(token, credentials, nkey, tlsCa, tlsCert, tlsKey);
    }

    private String resolveSqlite(String url) {
      String rest = url.substring("jdbc:sqlite:".length());
      if (rest.isEmpty()
          || rest.startsWith(":")
          || rest.startsWith("file:")
          || rest.startsWith("/")) {
        return url;
      }
      return "jdbc:sqlite:" + baseDir.resolve(rest).normalize();
    }

    private List<RuleConfig> rules(
        YamlSection root, Map<String, TargetConfig> targets, SourceConfig source) {
      List<RuleConfig> rules = new ArrayList<>();
      Set<String> names = new HashSet<>();
      List<YamlSection> sections = root.sections("rules");
      int bidirectional = 0;
      for (YamlSection r : sections) {
        r.allowOnly(ConfigKeys.RULES.childNames());
        String name = r.required("name");
        if (name != null && !NAME.matcher(name).matches()) {
          r.problem("name", "'" + name + "' is not a valid name: letters, digits, '_', '-', '.'");
        } else if (name != null && !names.add(name)) {
          r.problem("name", "duplicate rule name '" + name + "'");
        }
        String target = r.required("target");
        if (target != null && !targets.containsKey(target)) {
          r.problem(
              "target",
              "unknown target '"
                  + target
                  + "'"
                  + Suggestions.didYouMean(target, targets.keySet())
                  + (targets.isEmpty()
                      ? " (no targets are defined)"
                      : " (defined: " + String.join(", ", targets.keySet()) + ")"));
        }
        RuleMode mode = r.choice("mode", RuleMode.class, RuleMode.CDC);
        TargetConfig targetConfig = target == null ? null : targets.get(target);
        if (targetConfig != null
            && targetConfig.dialect() != null
            && targetConfig.dialect().isStream()) {
          if (!STREAM_MODES.contains(mode)) {
            r.problem(
                "mode",
                "mode "
                    + mode.yamlName()
                    + " cannot apply to stream target '"
                    + target
                    + "'; use cdc, mirror or append");
          }
        }
        List<TablePattern> tables = r.list("tables", TablePattern::parse);
        for (TablePattern pattern : tables) {
          if (pattern.isExact()
              && !source.tables().isEmpty()
              && !source.captures(TableName.parse(pattern.toString()))) {
            r.problem("tables", pattern + " is not captured; add it to source.tables");
          }
        }
        ConflictPolicy conflict =
            r.choice(
                "conflict",
                ConflictPolicy.class,
                mode == RuleMode.BIDIRECTIONAL
                    ? ConflictPolicy.LAST_UPDATE_WINS
                    : ConflictPolicy.SOURCE_WINS);
        Map<TableName, String> rename = new LinkedHashMap<>();
        YamlSection renameSection = r.section("rename");
        for (String key : renameSection.keys()) {
          TableName table = tableKey(renameSection, key);
          String to = renameSection.required(key);
          if (table != null && to != null) {
            rename.put(table, to);
          }
        }
        Map<TableName, List<String>> exclude = new LinkedHashMap<>();
        YamlSection excludeSection = r.section("excludeColumns");
        for (String key : excludeSection.keys()) {
          TableName table = tableKey(excludeSection, key);
          List<String> columns = excludeSection.list(key, text -> text);
          if (table != null) {
            exclude.put(table, columns);
          }
        }
        YamlSection b = r.section("batch");
        b.allowOnly(ConfigKeys.BATCH.childNames());
        BatchConfig batch =
            new BatchConfig(
                b.integer("maxEvents", BatchConfig.DEFAULT.maxEvents(), 1, 1_000_000),
                b.duration("maxDelay", BatchConfig.DEFAULT.maxDelay()));
        OnError onError = r.choice("onError", OnError.class, OnError.STOP);
        String node = bidirectionalNode(r, mode, target, targets, conflict);
        RuleConfig rule =
            new RuleConfig(
                name, target, mode, tables, conflict, rename, exclude, batch, onError, node);
        refuseSharedDatabase(r, rule, rules, targets);
        rules.add(rule);
        if (mode == RuleMode.BIDIRECTIONAL && ++bidirectional == 2) {
          r.problem(
              "mode",
              "a sidecar has at most one bidirectional rule (one peer); rule '"
                  + name
                  + "' is the second");
        }
      }
      return rules;
    }

    /**
     * Reports a rule whose target is the same database as another rule's target (a different name
     * for it) when both write a table of the same name: each would overwrite the other's rows and
     * checkpoints would disagree about what is applied.
     */
    private static void refuseSharedDatabase(
        YamlSection section,
        RuleConfig rule,
        List<RuleConfig> earlier,
        Map<String, TargetConfig> targets) {
      TargetConfig target = targets.get(rule.target());
      if (target == null || target.url() == null) {
        return;
      }
      DatabaseAddress address = DatabaseAddress.of(target.url()).orElse(null);
      if (address == null) {
        return;
      }
      for (RuleConfig other : earlier) {
        TargetConfig otherTarget = targets.get(other.target());
        if (otherTarget == null
            || otherTarget.name().equals(target.name())
            || otherTarget.url() == null
            || !DatabaseAddress.of(otherTarget.url()).filter(address::equals).isPresent()) {
          continue;
        }
        String shared = sharedTable(rule, other);
        if (shared != null) {
          section.problem(
              "target",
              "rule "
                  + rule.name()
                  + " writes into target "
                  + target.name()
                  + ", the same database ("
                  + address
                  + ") as target "
                  + otherTarget.name()
                  + " of rule "
                  + other.name()
                  + ", and both write "
                  + shared
                  + ": each would overwrite the other's rows; use one target for both rules,"
                  + " another database, or rename the table in one of them");
          return;
        }
      }
    }

    /**
     * A table both rules write under the same target name, or null when their tables cannot meet.
     * Patterns are compared as far as they can be without the source's catalogue: no tables (all
     * captured ones) meets everything, a name meets a pattern that matches it, two patterns meet
     * when they are written the same.
     */
    private static String sharedTable(RuleConfig a, RuleConfig b) {
      for (TablePattern p : a.tables().isEmpty() ? List.of(EVERY_TABLE) : a.tables()) {
        for (TablePattern q : b.tables().isEmpty() ? List.of(EVERY_TABLE) : b.tables()) {
          String meet = meet(p, q, a, b);
          if (meet != null) {
            return meet;
          }
        }
      }
      return null;
    }

    private static String meet(TablePattern p, TablePattern q, RuleConfig a, RuleConfig b) {
      TablePattern exact = p.isExact() ? p : q.isExact() ? q : null;
      if (exact == null) {
        boolean same = p.equals(q) || p.equals(EVERY_TABLE) || q.equals(EVERY_TABLE);
        String which = p.equals(EVERY_TABLE) ? q.toString() : p.toString();
        return same && a.rename().isEmpty() && b.rename().isEmpty()
            ? (which.equals(EVERY_TABLE.toString()) ? "every captured table" : which)
            : null;
      }
      TableName table = TableName.parse(exact.toString());
      if (!p.matches(table) || !q.matches(table)) {
        return null;
      }
      String nameA = a.rename().getOrDefault(table, table.toString());
      String nameB = b.rename().getOrDefault(table, table.toString());
      return nameA.equals(nameB) ? table.toString() : null;
    }

    /**
     * The node name of a bidirectional rule (null for other modes), after the checks that only a
     * bidirectional rule needs: a PostgreSQL peer, a node name of its own, last-update-wins.
     */
    private static String bidirectionalNode(
        YamlSection r,
        RuleMode mode,
        String target,
        Map<String, TargetConfig> targets,
        ConflictPolicy conflict) {
      String node = r.string("node", null);
      if (mode != RuleMode.BIDIRECTIONAL && conflict == ConflictPolicy.LAST_UPDATE_WINS) {
        r.problem(
            "conflict",
            "last-update-wins is for bidirectional rules; use source-wins or" + " newer-wins");
      }
      if (mode != RuleMode.BIDIRECTIONAL) {
        if (node != null) {
          r.problem(
              "node",
              "'node' names this side of a bidirectional rule; this rule's mode is "
                  + (mode == null ? "invalid" : mode.yamlName()));
        }
        return null;
      }
      if (node == null) {
        r.problem(
            null,
            "a bidirectional rule needs 'node': this side's name (the target '"
                + target
                + "' names the peer), e.g. node: a on one side and node: b on the other");
      } else if (!NAME.matcher(node).matches()) {
        r.problem("node", "'" + node + "' is not a valid name: letters, digits, '_', '-', '.'");
      } else if (node.equals(target)) {
        r.problem(
            "node",
            "'" + node + "' is the peer's name (the target); this side needs a name of its own");
      }
      TargetConfig peer = target == null ? null : targets.get(target);
      if (peer != null && peer.dialect() != Dialect.POSTGRESQL) {
        r.problem(
            "target",
            "a bidirectional rule needs a PostgreSQL peer; '"
                + target
                + "' is "
                + peer.dialect().yamlName());
      }
      for (String key : List.of("rename", "excludeColumns")) {
        if (r.has(key)) {
          r.problem(
              key,
              "a bidirectional rule keeps both sides' tables alike: its tables keep their names"
                  + " and all their columns; remove '"
                  + key
                  + "'");
        }
      }
      if (conflict != null && conflict != ConflictPolicy.LAST_UPDATE_WINS) {
        r.problem(
            "conflict",
            "a bidirectional rule resolves conflicts last-update-wins (on the origin's commit"
                + " time); "
                + conflict.yamlName()
                + " cannot keep both sides equal");
      }
      return node;
    }

    private static TableName tableKey(YamlSection section, String key) {
      try {
        return TableName.parse(key);
      } catch (IllegalArgumentException e) {
        section.problem(key, e.getMessage());
        return null;
      }
    }

    private Map<String, ReplicaGroupConfig> replicas(YamlSection root, List<RuleConfig> rules) {
      Map<String, ReplicaGroupConfig> groups = new LinkedHashMap<>();
      List<String> ruleNames = rules.stream().map(RuleConfig::name).filter(n -> n != null).toList();
      for (Map.Entry<String, YamlSection> entry : root.namedSections("replicas").entrySet()) {
        YamlSection g = entry.getValue();
        g.allowOnly(ConfigKeys.REPLICAS.childNames());
        RoutingStrategy routing =
            g.choice("routing", RoutingStrategy.class, RoutingStrategy.LEAST_LAG);
        Duration hysteresis = g.duration("hysteresis", Duration.ofSeconds(5));
        List<NodeConfig> nodes = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        int masters = 0;
        for (YamlSection n : g.sections("nodes")) {
          n.allowOnly(ConfigKeys.NODES.childNames());
          String name = n.required("name");
          if (name != null && !nodeNames.add(name)) {
            n.problem("name", "duplicate node name '" + name + "' in group " + entry.getKey());
          }
          NodeRole role = n.choice("role", NodeRole.class, null);
          if (role == null && !n.has("role")) {
            n.problem(
                null, "missing required key 'role' (" + YamlEnum.choices(NodeRole.class) + ")");
          }
          String fedBy = n.string("fedBy", null);
          if (fedBy != null && !ruleNames.contains(fedBy)) {
            n.problem(
                "fedBy", "unknown rule '" + fedBy + "'" + Suggestions.didYouMean(fedBy, ruleNames));
          }
          if (role == NodeRole.MASTER) {
            masters++;
            if (fedBy != null) {
              n.problem("fedBy", "a master is not fed by a rule; only slaves can be");
            }
          }
          String url = fedBy == null ? n.required("url") : n.string("url", null);
          if (url != null && Dialect.ofUrl(url).isEmpty()) {
            n.problem("url", "'" + Masking.maskUrl(url) + "' is not a supported database URL");
          } else if (url != null && Dialect.ofUrl(url).orElseThrow() == Dialect.SQLITE) {
            url = resolveSqlite(url); // the same file as a target written the same way
          }
          LagTolerance tolerance =
              n.parse(
                  "lagTolerance", LagTolerance.ofTime(Duration.ofSeconds(10)), LagTolerance::parse);
          nodes.add(
              new NodeConfig(
                  name,
                  role,
                  url,
                  n.string("user", null),
                  n.secret("password"),
                  fedBy,
                  tolerance,
                  connectTimeout(n, NodeConfig.DEFAULT_CONNECT_TIMEOUT)));
        }
        if (nodes.isEmpty()) {
          g.problem(null, "a replica group needs 'nodes' (one master and its slaves)");
        } else if (masters != 1) {
          g.problem(
              "nodes",
              "a replica group needs exactly one node with role: master, found " + masters);
        }
        groups.put(
            entry.getKey(), new ReplicaGroupConfig(entry.getKey(), routing, hysteresis, nodes));
      }
      return groups;
    }

    private MonitorConfig monitor(YamlSection s) {
      s.allowOnly(ConfigKeys.MONITOR.childNames());
      String host = s.string("host", "127.0.0.1");
      int port = s.integer("port", 14499, 0, 65535);
      Secret token = s.secret("token");
      if (token != null && token.isEmpty()) {
        token = null;
      }
      Duration poll = s.duration("poll", Duration.ofSeconds(2));
      if (poll.isZero()) {
        s.problem("poll", "must be longer than 0 (e.g. 2s)");
      }
      if (token == null && !isLoopback(host)) {
        s.problem(
            "host",
            "binding "
                + host
                + " exposes the dashboard beyond this machine; set monitor.token"
                + " (e.g. token: ${SLUICE_TOKEN}) or bind 127.0.0.1");
      }
      return new MonitorConfig(host, port, token, poll);
    }

    private static Duration connectTimeout(YamlSection s, Duration fallback) {
      Duration timeout = s.duration("connectTimeout", fallback);
      if (timeout.isZero()) {
        s.problem(
            "connectTimeout", "must be longer than 0 (e.g. " + Durations.format(fallback) + ")");
        return fallback;
      }
      return timeout;
    }

    private Path path(String text) {
      return baseDir.resolve(text).normalize();
    }
  }

  /** Whether a host name or address names this machine only. */
  static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false; // a name: do not resolve it while validating
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
