package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path BASE = Path.of("/etc/sluice");
  private final ConfigLoader loader =
      new ConfigLoader(Map.of("SLUICE_SOURCE_PASSWORD", "s3cret", "MIRROR_PW", "m1rror"));

  private SluiceConfig parse(String yaml) {
    return loader.parse(yaml, "sluice.yaml", BASE, null);
  }

  private List<ConfigProblem> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @Test
  void theDesignDocumentExampleLoadsWithItsValues() {
    SluiceConfig config =
        parse(
            """
            source:
              url: jdbc:postgresql://127.0.0.1:5432/app
              user: sluice
              password: ${SLUICE_SOURCE_PASSWORD}
              slot: sluice
              publication: sluice
              tables: [public.orders, "inventory.*"]
              snapshot: initial
              heartbeat: 10s
            journal:
              dir: ./sluice-journal
              retention: 7d
              sync: batch
            targets:
              analytics: { url: "mongodb://127.0.0.1:27017/analytics" }
              mirror:    { url: "jdbc:postgresql://10.0.0.2:5432/app", user: sluice, password: ${MIRROR_PW} }
              shop:      { url: "jdbc:mariadb://127.0.0.1:3306/shop", user: root }
              local:     { url: "jdbc:sqlite:./mirror.db" }
            rules:
              - name: pg-to-mongo
                target: analytics
                mode: cdc
                tables: ["public.*"]
                conflict: source-wins
                rename: { public.users: users }
                excludeColumns: { public.users: [password_hash] }
                batch: { maxEvents: 10000, maxDelay: 20ms }
              - name: pg-to-mirror
                target: mirror
                mode: mirror
            replicas:
              app:
                routing: least-lag
                nodes:
                  - { name: primary,   role: master, url: "jdbc:postgresql://10.0.0.1:5432/app" }
                  - { name: standby-1, role: slave,  url: "jdbc:postgresql://10.0.0.3:5432/app", lagTolerance: 5s }
                  - { name: mirror,    role: slave,  fedBy: pg-to-mirror, lagTolerance: 16MB }
            monitor: { host: 127.0.0.1, port: 14499, poll: 2s }
            state: ./sluice-state.json
            """);

    assertThat(config.source().password().reveal()).isEqualTo("s3cret");
    assertThat(config.source().parsedUrl().database()).isEqualTo("app");
    assertThat(config.source().captures(new TableName("inventory", "items"))).isTrue();
    assertThat(config.source().captures(new TableName("public", "users"))).isFalse();
    assertThat(config.journal().dir()).isEqualTo(Path.of("/etc/sluice/sluice-journal"));
    assertThat(config.journal().retention()).isEqualTo(Duration.ofDays(7));
    assertThat(config.targets().keySet()).containsExactly("analytics", "mirror", "shop", "local");
    assertThat(config.targets().get("shop").dialect()).isEqualTo(Dialect.MYSQL);
    assertThat(config.targets().get("local").url()).isEqualTo("jdbc:sqlite:/etc/sluice/mirror.db");
    RuleConfig rule = config.rule("pg-to-mongo").orElseThrow();
    assertThat(rule.rename()).containsEntry(new TableName("public", "users"), "users");
    assertThat(rule.excludeColumns())
        .containsEntry(new TableName("public", "users"), List.of("password_hash"));
    assertThat(rule.batch()).isEqualTo(new BatchConfig(10_000, Duration.ofMillis(20)));
    ReplicaGroupConfig app = config.replicas().get("app");
    assertThat(app.routing()).isEqualTo(RoutingStrategy.LEAST_LAG);
    assertThat(app.nodes().get(2).lagTolerance())
        .isEqualTo(LagTolerance.ofSize(ByteSize.ofMegabytes(16)));
    assertThat(config.state()).isEqualTo(Path.of("/etc/sluice/sluice-state.json"));
  }

  @Test
  void aMinimalFileGetsTheDocumentedDefaults() {
    SluiceConfig config = parse("source: { url: jdbc:postgresql://db/app }");

    SourceConfig source = config.source();
    assertThat(source.user()).isEqualTo("postgres");
    assertThat(source.slot()).isEqualTo("sluice");
    assertThat(source.publication()).isEqualTo("sluice");
    assertThat(source.tables()).isEmpty();
    assertThat(source.snapshot()).isEqualTo(SnapshotMode.INITIAL);
    assertThat(source.heartbeat()).isEqualTo(Duration.ofSeconds(10));
    assertThat(source.parsedUrl().port()).isEqualTo(5432);
    assertThat(config.journal().sync()).isEqualTo(SyncPolicy.BATCH);
    assertThat(config.monitor())
        .isEqualTo(new MonitorConfig("127.0.0.1", 14499, null, Duration.ofSeconds(2)));
    assertThat(config.rules()).isEmpty();
  }

  @Test
  void aNatsTargetGetsItsStreamAndSubjectPrefixOrTheirDefaults() {
    SluiceConfig config =
        parse(
            """
            source: { url: jdbc:postgresql://db/app }
            targets:
              bus: { url: "nats://127.0.0.1:4222", user: app, password: pw }
              events: { url: "nats://10.0.0.5:4222", stream: ORDERS_2, subjectPrefix: shop.cdc }
            rules:
              - { name: a, target: bus }
              - { name: b, target: events, mode: append }
            """);

    assertThat(config.targets().get("bus").dialect()).isEqualTo(Dialect.NATS);
    assertThat(config.targets().get("bus").stream())
        .isEqualTo(new StreamSettings("SLUICE", "sluice"));
    assertThat(config.targets().get("events").stream())
        .isEqualTo(new StreamSettings("ORDERS_2", "shop.cdc"));
    assertThat(ConfigPrinter.toYaml(config))
        .contains("subjectPrefix: shop.cdc")
        .doesNotContain("pw");
  }

  @Test
  void streamKeysOnADatabaseAndBadStreamNamesAreNamedWithTheirPath() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                targets:
                  db: { url: "jdbc:sqlite::memory:", stream: S }
                  bus: { url: "nats://h:4222", stream: "a.b", subjectPrefix: "x.*" }
                rules:
                  - { name: a, target: db }
                  - { name: b, target: bus }
                """))
        .extracting(Object::toString)
        .containsExactly(
            "sluice.yaml:3: targets.db.stream: stream applies only to nats: targets",
            "sluice.yaml:4: targets.bus.stream: 'a.b' is not a valid JetStream stream name:"
                + " letters, digits, '_', '-'",
            "sluice.yaml:4: targets.bus.subjectPrefix: 'x.*' is not a valid subject prefix:"
                + " tokens of letters, digits, '_', '-' separated by '.'");
  }

  @Test
  void aNatsTargetTakesItsFormatTransactionsAndAuthenticationWithSecretsMasked() {
    SluiceConfig config =
        parse(
            """
            source: { url: jdbc:postgresql://db/app }
            targets:
              bus:
                url: "nats://nats.example:4222"
                format: cloudevents
                transactions: true
                nkey: SUAB"C'Zoë
                tlsCa: certs/ca.pem
                tlsCert: certs/client.pem
                tlsKey: certs/client.key
              other: { url: "nats://h:4222", token: "t0k'en", credentials: /etc/nats/u.creds }
            rules:
              - { name: a, target: bus }
            """);

    StreamSettings bus = config.targets().get("bus").stream();
    assertThat(bus.format()).isEqualTo(StreamFormat.CLOUDEVENTS);
    assertThat(bus.transactions()).isTrue();
    assertThat(bus.auth().nkey().reveal()).isEqualTo("SUAB\"C'Zoë");
    assertThat(bus.auth().tlsKey())
        .isEqualTo(java.nio.file.Path.of("/etc/sluice/certs/client.key"));
    assertThat(bus.auth().tls()).isTrue();
    StreamSettings other = config.targets().get("other").stream();
    assertThat(other.format()).isEqualTo(StreamFormat.DEBEZIUM);
    assertThat(other.transactions()).isFalse();
    assertThat(other.auth().token().reveal()).isEqualTo("t0k'en");
    assertThat(other.auth().credentials()).isEqualTo(java.nio.file.Path.of("/etc/nats/u.creds"));
    assertThat(ConfigPrinter.toYaml(config) + config.targets())
        .contains("format: cloudevents", "transactions: \"true\"", "tlsCa:")
        .doesNotContain("SUAB", "t0k");
  }

  @Test
  void badFormatTransactionsAndAuthenticationKeysAreNamedWithTheirPath() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                targets:
                  db: { url: "jdbc:sqlite::memory:", format: cloudevents, token: x }
                  bus: { url: "nats://h:4222", format: avro, transactions: yes, nkey: UAB }
                  tls: { url: "nats://h:4222", tlsCert: c.pem, credentials: u.creds, nkey: SUX }
                rules:
                  - { name: a, target: db }
                  - { name: b, target: bus }
                """))
        .extracting(Object::toString)
        .containsExactly(
            "sluice.yaml:3: targets.db.format: format applies only to nats: targets",
            "sluice.yaml:3: targets.db.token: token applies only to nats: targets",
            "sluice.yaml:4: targets.bus.format: 'avro' is not one of debezium | cloudevents",
            "sluice.yaml:4: targets.bus.transactions: 'yes' is not true or false",
            "sluice.yaml:4: targets.bus.nkey: an NKey user seed starts with SU",
            "sluice.yaml:5: targets.tls.nkey: set credentials or nkey, not both (each signs"
                + " the server's challenge)",
            "sluice.yaml:5: targets.tls.tlsCert: tlsCert and tlsKey go together (the client"
                + " certificate and its private key)");
  }

  @Test
  void aKafkaTargetTakesItsClientKeysAndMasksItsSecretsEverywhere() {
    SluiceConfig config =
        parse(
            """
            source: { url: jdbc:postgresql://db/app }
            targets:
              events:
                url: "kafka://k1:9092,k2:9093"
                user: app
                password: "${MIRROR_PW}"
                securityProtocol: sasl_ssl
                saslMechanism: SCRAM-SHA-512
                trustStore: certs/trust.p12
                trustStorePassword: "${SLUICE_SOURCE_PASSWORD}"
                compression: gzip
                linger: 20ms
                batchSize: 262144
                partitions: 6
                replicationFactor: 3
                producer: { delivery.timeout.ms: 60000, ssl.key.password: "${MIRROR_PW}" }
            rules:
              - { name: out, target: events }
            """);

    KafkaSettings kafka = config.targets().get("events").kafka();
    assertThat(kafka.topicPrefix()).isEqualTo("sluice");
    assertThat(kafka.securityProtocol()).isEqualTo("SASL_SSL");
    assertThat(kafka.trustStore()).isEqualTo(BASE.resolve("certs/trust.p12"));
    assertThat(kafka.trustStorePassword().reveal()).isEqualTo("s3cret");
    assertThat(kafka.linger()).isEqualTo(Duration.ofMillis(20));
    assertThat(kafka.producer())
        .containsEntry("delivery.timeout.ms", "60000")
        .containsEntry("ssl.key.password", "m1rror");
    String printed = ConfigPrinter.toYaml(config) + config.targets().get("events");
    assertThat(printed).doesNotContain("m1rror").doesNotContain("s3cret").contains("<masked>");
  }

  @Test
  void kafkaKeysThatWouldBreakExactlyOnceOrAreMisspeltAreRefusedWithTheirPath() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                targets:
                  db: { url: "jdbc:sqlite::memory:", topicPrefix: t }
                  k: { url: "kafka://k1", acks: 1, compression: brotli, topicPrefix: "a b" }
                  p:
                    url: "kafka://k1:9092"
                    producer: { transactional.id: mine, enable.idempotence: false, linger.ms: 1 }
                rules:
                  - { name: a, target: db }
                  - { name: b, target: k }
                  - { name: c, target: p }
                """))
        .extracting(Object::toString)
        .containsExactly(
            "sluice.yaml:3: targets.db.topicPrefix: topicPrefix applies only to kafka: targets",
            "sluice.yaml:4: targets.k.url: 'kafka://k1' is not a Kafka URL; expected"
                + " kafka://host:port or kafka://host:port,host2:port (the bootstrap servers)",
            "sluice.yaml:4: targets.k.topicPrefix: 'a b' is not a valid topic prefix: letters,"
                + " digits, '.', '_', '-' (at most 200)",
            "sluice.yaml:4: targets.k.acks: '1': a kafka: target's producer is idempotent and"
                + " transactional (exactly once), which needs acks all",
            "sluice.yaml:4: targets.k.compression: 'brotli' is not one of gzip, none",
            "sluice.yaml:7: targets.p.producer.transactional.id: producer property"
                + " transactional.id is set by Sluice (the producer is idempotent and"
                + " transactional for exactly once); remove it from producer:",
            "sluice.yaml:7: targets.p.producer.enable.idempotence: producer property"
                + " enable.idempotence is set by Sluice (the producer is idempotent and"
                + " transactional for exactly once); remove it from producer:",
            "sluice.yaml:7: targets.p.producer.linger.ms: producer property linger.ms is set by"
                + " Sluice from the key linger; remove it from producer:");
  }

  @Test
  void environmentDefaultsApplyWhenTheVariableIsUnset() {
    SluiceConfig config =
        parse(
            "source: { url: 'jdbc:postgresql://${DB_HOST:-localhost}:5432/app', user: '$${literal}' }");

    assertThat(config.source().url()).isEqualTo("jdbc:postgresql://localhost:5432/app");
    assertThat(config.source().user()).isEqualTo("${literal}");
  }

  @Test
  void aMissingVariableIsNamedWithItsPathAndLine() {
    assertThat(problems("source:\n  url: jdbc:postgresql://db/app\n  password: ${NOPE}\n"))
        .singleElement()
        .hasToString(
            "sluice.yaml:3: source.password: environment variable NOPE is not set (set it, or write ${NOPE:-default} for a default)");
  }

  @Test
  void anUnknownKeySuggestsTheClosestKnownOne() {
    assertThat(problems("source:\n  url: jdbc:postgresql://db/app\n  heartbeet: 5s\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("source.heartbeet");
              assertThat(p.line()).isEqualTo(3);
              assertThat(p.message())
                  .startsWith("unknown key 'heartbeet'; did you mean 'heartbeat'?");
            });
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    List<ConfigProblem> problems =
        problems(
            """
            source:
              url: jdbc:postgresql://db/app
              snapshot: sometimes
              heartbeat: soon
            journal: { retention: 7 days, sync: always }
            rules:
              - { name: a, target: nowhere }
              - { name: a, target: nowhere, mode: copy }
            """);

    assertThat(problems)
        .extracting(ConfigProblem::path)
        .containsExactly(
            "source.snapshot",
            "source.heartbeat",
            "journal.retention",
            "journal.sync",
            "rules[0].target",
            "rules[1].name",
            "rules[1].target",
            "rules[1].mode");
    assertThat(problems.get(0).message())
        .isEqualTo("'sometimes' is not one of initial | never | always");
    assertThat(problems.get(2).message()).contains("write it like 250ms, 10s, 5m, 2h or 7d");
    assertThat(problems.get(5).message()).isEqualTo("duplicate rule name 'a'");
  }

  @Test
  void malformedYamlNamesTheLineAndColumn() {
    assertThat(problems("source:\n  url: jdbc:postgresql://db/app\n   user: x\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(3);
              assertThat(p.message()).startsWith("malformed YAML at column 8: ");
            });
    assertThat(problems("source:\n  url: [unclosed\n  user: x\n"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("malformed YAML at column "));
  }

  @Test
  void aWrongTypeIsNamed() {
    assertThat(problems("source: { url: jdbc:postgresql://db/app, tables: { a: b } }"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("expected a list, found a mapping"));
    assertThat(problems("source: jdbc:postgresql://db/app"))
        .first()
        .satisfies(p -> assertThat(p.message()).startsWith("expected a mapping"));
  }

  @Test
  void aMissingSourceIsReported() {
    assertThat(problems("journal: { dir: /tmp/j }"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("missing required section 'source'"));
  }

  @Test
  void aSourceThatIsNotPostgresIsRefused() {
    assertThat(problems("source: { url: 'jdbc:mysql://db/app' }"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("the source must be PostgreSQL"));
  }

  @Test
  void aDuplicateKeyNamesBothLines() {
    assertThat(
            problems("source:\n  url: jdbc:postgresql://db/app\n  url: jdbc:postgresql://db/b\n"))
        .singleElement()
        .hasToString("sluice.yaml:3: source.url: duplicate key (first at line 2)");
  }

  @Test
  void aRuleNamingAnUnknownTargetSuggestsOne() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                targets: { analytics: { url: "mongodb://m/a" } }
                rules: [ { name: r, target: analytcs } ]
                """))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .isEqualTo(
                        "unknown target 'analytcs'; did you mean 'analytics'? (defined: analytics)"));
  }

  @Test
  void anUnsupportedTargetUrlIsRefusedWithoutShowingItsPassword() {
    assertThat(
            problems(
                "source: { url: jdbc:postgresql://db/app }\ntargets: { x: { url: 'redis://u:hunter2@r/0' } }\n"
                    + "rules: [ { name: r, target: x } ]"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message()).contains("not a supported target URL");
              assertThat(p.message()).doesNotContain("hunter2");
            });
  }

  @Test
  void aBadSlotNameExplainsTheRule() {
    assertThat(problems("source: { url: jdbc:postgresql://db/app, slot: My-Slot }"))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message()).contains("only lowercase letters, digits and underscores"));
  }

  @Test
  void aBadSizeIsExplained() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                replicas:
                  app:
                    nodes:
                      - { name: p, role: master, url: "jdbc:postgresql://a/app" }
                      - { name: s, role: slave, url: "jdbc:postgresql://b/app", lagTolerance: lots }
                """))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .contains("neither a duration (5s, 250ms) nor a size (16MB)"));
  }

  @Test
  void aReplicaGroupNeedsExactlyOneMaster() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                replicas:
                  app:
                    nodes:
                      - { name: a, role: slave, url: "jdbc:postgresql://a/app" }
                      - { name: a, role: slave, url: "jdbc:postgresql://b/app" }
                """))
        .extracting(ConfigProblem::message)
        .containsExactly(
            "duplicate node name 'a' in group app",
            "a replica group needs exactly one node with role: master, found 0");
  }

  @Test
  void aSlaveFedByAnUnknownRuleIsRefused() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                replicas:
                  app:
                    nodes:
                      - { name: p, role: master, url: "jdbc:postgresql://a/app" }
                      - { name: m, role: slave, fedBy: nope }
                """))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("unknown rule 'nope'"));
  }

  @Test
  void bindingBeyondLoopbackWithoutATokenIsRefused() {
    assertThat(problems("source: { url: jdbc:postgresql://db/app }\nmonitor: { host: 0.0.0.0 }"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("set monitor.token"));
    assertThat(
            parse("source: { url: jdbc:postgresql://db/app }\nmonitor: { host: 0.0.0.0, token: t }")
                .monitor()
                .token())
        .hasToString(Secret.MASK);
  }

  @Test
  void aSqliteNodeUrlIsRelativeToTheConfigurationFileLikeATargetUrl() {
    SluiceConfig config =
        parse(
            """
            source: { url: jdbc:postgresql://db/app }
            targets: { local: { url: "jdbc:sqlite:./copy.db" } }
            rules: [ { name: r, target: local } ]
            replicas:
              app:
                nodes:
                  - { name: primary, role: master, url: "jdbc:postgresql://db/app" }
                  - { name: copy, role: slave, url: "jdbc:sqlite:./copy.db", fedBy: r }
            """);
    assertThat(config.replicas().get("app").nodes().get(1).url())
        .isEqualTo(config.targets().get("local").url())
        .isEqualTo("jdbc:sqlite:" + BASE.resolve("copy.db"));
  }

  @Test
  void aRuleTableThatIsNotCapturedIsReported() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app, tables: [public.orders] }
                targets: { t: { url: "jdbc:sqlite:x.db" } }
                rules: [ { name: r, target: t, tables: [public.users] } ]
                """))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.message())
                    .isEqualTo("public.users is not captured; add it to source.tables"));
  }

  @Test
  void anEmptyFileIsRefused() {
    assertThat(problems(""))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("the file is empty"));
  }

  @Test
  void aMissingFileIsReportedAsSuch(@TempDir Path dir) {
    assertThatThrownBy(() -> loader.load(dir.resolve("none.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("file not found");
  }

  @Test
  void loadingAFileResolvesPathsAgainstItsDirectory(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(file, "source: { url: jdbc:postgresql://db/app }\njournal: { dir: j }\n");

    assertThat(loader.load(file).journal().dir()).isEqualTo(dir.resolve("j"));
  }

  @Test
  void yamlTagsThatWouldConstructObjectsAreRefusedByName() {
    assertThat(
            problems(
                "source:\n  url: jdbc:postgresql://db/app\n"
                    + "  user: !!javax.script.ScriptEngineManager [ !!java.net.URL [\"http://x\"] ]\n"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(3);
              assertThat(p.message())
                  .startsWith(
                      "the YAML tag '!!javax.script.ScriptEngineManager' is not allowed: Sluice"
                          + " reads plain values, lists and mappings only");
            });
    assertThat(problems("source: { url: !local jdbc:postgresql://db/app }"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("the YAML tag '!local' is not allowed"));
    assertThat(parse("source: { url: !!str jdbc:postgresql://db/app }").source().url())
        .isEqualTo("jdbc:postgresql://db/app");
  }

  @Test
  void aMonitorPortOutOfRangeOrNotANumberIsRefused() {
    assertThat(
            problems(
                "source: { url: jdbc:postgresql://db/app }\nmonitor: { port: 70000 }\n"
                    + "state: s.json\n"))
        .singleElement()
        .hasToString("sluice.yaml:2: monitor.port: 70000 is out of range (0 to 65535)");
    assertThat(problems("source: { url: jdbc:postgresql://db/app }\nmonitor: { port: http }"))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("'http' is not a whole number"));
  }

  @Test
  void targetsWithoutAnyRuleAreRefusedWithAnExampleRule() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app }
                targets:
                  lite: { url: "jdbc:sqlite:x.db" }
                rules: []
                """))
        .singleElement()
        .hasToString(
            "sluice.yaml:2: targets: targets are defined (lite) but no rule sends changes to"
                + " them; add one, e.g. rules: [ { name: to-lite, target: lite } ], or remove the"
                + " targets");
  }

  @Test
  void aBadDurationSaysHowToWriteOne() {
    assertThat(problems("source: { url: jdbc:postgresql://db/app, heartbeat: 10 seconds }"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("source.heartbeat");
              assertThat(p.message()).contains("write it like 250ms, 10s, 5m, 2h or 7d");
            });
  }

  @Test
  void connectTimeoutsHaveTheirDocumentedDefaultsAndCanBeSetPerSourceTargetAndNode() {
    SluiceConfig defaults =
        parse(
            """
            source: { url: jdbc:postgresql://db/app }
            targets: { copy: { url: "jdbc:postgresql://other/app" } }
            rules: [ { name: r, target: copy } ]
            replicas:
              app:
                nodes: [ { name: p, role: master, url: "jdbc:postgresql://db/app" } ]
            """);
    assertThat(defaults.source().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.targets().get("copy").connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.replicas().get("app").nodes().get(0).connectTimeout())
        .isEqualTo(Duration.ofSeconds(3));

    SluiceConfig set =
        parse(
            """
            source: { url: jdbc:postgresql://db/app, connectTimeout: 1500ms }
            targets: { copy: { url: "jdbc:postgresql://other/app", connectTimeout: 2m } }
            rules: [ { name: r, target: copy } ]
            replicas:
              app:
                nodes: [ { name: p, role: master, url: "jdbc:postgresql://db/app", connectTimeout: 250ms } ]
            """);
    assertThat(set.source().connectTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(set.targets().get("copy").connectTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(set.replicas().get("app").nodes().get(0).connectTimeout())
        .isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigPrinter.toYaml(set))
        .contains("connectTimeout: 1500ms")
        .contains("connectTimeout: 2m")
        .contains("connectTimeout: 250ms");
  }

  @Test
  void aZeroConnectTimeoutIsRefusedWithItsPath() {
    assertThat(
            problems(
                """
                source: { url: jdbc:postgresql://db/app, connectTimeout: 0 }
                targets: { copy: { url: "jdbc:postgresql://other/app", connectTimeout: 0s } }
                rules: [ { name: r, target: copy } ]
                """))
        .extracting(ConfigProblem::path, ConfigProblem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "source.connectTimeout", "must be longer than 0 (e.g. 10s)"),
            org.assertj.core.groups.Tuple.tuple(
                "targets.copy.connectTimeout", "must be longer than 0 (e.g. 10s)"));
  }

  @Test
  void aTargetThatIsTheSourceItselfIsRefusedEvenWrittenWithAnotherLoopbackName() {
    assertThat(
            problems(
                """
                source: { url: "jdbc:postgresql://127.0.0.1:5432/app?sslmode=disable" }
                targets: { back: { url: "jdbc:postgresql://localhost/app", user: postgres } }
                rules: [ { name: r, target: back } ]
                """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("targets.back.url");
              assertThat(p.line()).isEqualTo(2);
              assertThat(p.message())
                  .startsWith("target back is the source itself (localhost:5432/app)");
            });
  }

  @Test
  void anotherDatabaseOnTheSourceServerIsATarget() {
    SluiceConfig config =
        parse(
            """
            source: { url: "jdbc:postgresql://127.0.0.1:5432/app" }
            targets: { copy: { url: "jdbc:postgresql://127.0.0.1:5432/app_copy" } }
            rules: [ { name: r, target: copy } ]
            """);
    assertThat(config.targets()).containsKey("copy");
  }

  @Test
  void twoTargetsThatAreOneDatabaseAreRefusedForRulesWritingTheSameTable() {
    assertThat(
            problems(
                """
                source: { url: "jdbc:postgresql://db/app", tables: [public.orders, "public.*"] }
                targets:
                  a: { url: "jdbc:mariadb://127.0.0.1:3306/shop" }
                  b: { url: "jdbc:mysql://localhost/shop?useSSL=false" }
                rules:
                  - { name: one, target: a, tables: ["public.*"] }
                  - { name: two, target: b, tables: [public.orders] }
                """))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("rules[1].target");
              assertThat(p.message())
                  .isEqualTo(
                      "rule two writes into target b, the same database (localhost:3306/shop) as"
                          + " target a of rule one, and both write public.orders: each would"
                          + " overwrite the other's rows; use one target for both rules, another"
                          + " database, or rename the table in one of them");
            });
  }

  @Test
  void twoTargetsThatAreOneDatabaseAreFineWhenTheirRulesWriteDifferentTables() {
    SluiceConfig config =
        parse(
            """
            source: { url: "jdbc:postgresql://db/app" }
            targets:
              a: { url: "mongodb://127.0.0.1:27017/shop" }
              b: { url: "mongodb://localhost/shop" }
            rules:
              - { name: one, target: a, tables: [public.orders] }
              - { name: two, target: b, tables: [public.users, "inventory.*"] }
              - { name: three, target: b, tables: [public.orders], rename: { public.orders: orders_copy } }
            """);
    assertThat(config.rules()).hasSize(3);
    assertThat(
            problems(
                """
                source: { url: "jdbc:postgresql://db/app" }
                targets:
                  a: { url: "mongodb://127.0.0.1:27017/shop" }
                  b: { url: "mongodb://localhost/shop" }
                rules:
                  - { name: one, target: a }
                  - { name: two, target: b, tables: ["inventory.*"] }
                """))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("both write inventory.*"));
  }
}
