package dev.sluice.config;

import static dev.sluice.config.ConfigKey.Kind.BOOLEAN;
import static dev.sluice.config.ConfigKey.Kind.DURATION;
import static dev.sluice.config.ConfigKey.Kind.LAG_TOLERANCE;
import static dev.sluice.config.ConfigKey.Kind.NAMED_SECTIONS;
import static dev.sluice.config.ConfigKey.Kind.PATH;
import static dev.sluice.config.ConfigKey.Kind.PROPERTIES;
import static dev.sluice.config.ConfigKey.Kind.SECRET;
import static dev.sluice.config.ConfigKey.Kind.SECTION;
import static dev.sluice.config.ConfigKey.Kind.SECTION_LIST;
import static dev.sluice.config.ConfigKey.Kind.STRING;
import static dev.sluice.config.ConfigKey.Kind.TABLE_COLUMNS;
import static dev.sluice.config.ConfigKey.Kind.TABLE_PATTERNS;
import static dev.sluice.config.ConfigKey.Kind.TABLE_RENAMES;
import static dev.sluice.config.ConfigKey.Kind.URL;

/**
 * Every key of {@code sluice.yaml}, once: the one description that {@link ConfigLoader} checks keys
 * against ({@code allowOnly}) and that {@link ConfigJsonSchema} turns into a JSON Schema for
 * editors. A key added to the loader must be added here, or the loader refuses it as unknown.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** {@code source:}, the PostgreSQL primary. */
  public static final ConfigKey SOURCE =
      ConfigKey.mappings(
              "source",
              SECTION,
              "The PostgreSQL primary whose changes are captured.",
              ConfigKey.required(
                  "url",
                  URL,
                  "jdbc:postgresql://host[:port]/database[?sslmode=...] of the primary (one"
                      + " host)."),
              ConfigKey.of(
                  "user",
                  STRING,
                  "postgres",
                  "The user; it needs the REPLICATION attribute (or superuser). Default: the URL's"
                      + " user parameter, else postgres."),
              ConfigKey.of(
                  "password",
                  SECRET,
                  null,
                  "The password; write ${SLUICE_SOURCE_PASSWORD} to take it from the environment."
                      + " Masked in every output."),
              ConfigKey.of(
                  "slot",
                  STRING,
                  "sluice",
                  "The logical replication slot (created when absent): lowercase letters, digits"
                      + " and underscores, at most 63."),
              ConfigKey.of(
                  "publication",
                  STRING,
                  "sluice",
                  "The publication (created when absent, kept to exactly the captured tables)."),
              ConfigKey.of(
                  "tables",
                  TABLE_PATTERNS,
                  null,
                  "Tables or patterns to capture (public.orders, \"inventory.*\", *.audit_?); an"
                      + " unqualified name is in public. Default: every table with a primary"
                      + " key."),
              ConfigKey.choice(
                  "snapshot",
                  SnapshotMode.class,
                  SnapshotMode.INITIAL,
                  "initial: read existing rows on the first start; never: changes only; always:"
                      + " read them at every start."),
              ConfigKey.of(
                  "heartbeat",
                  DURATION,
                  "10s",
                  "How often Sluice writes its row in sluice.heartbeat on the source, so that an"
                      + " idle database does not make the slot hold WAL; 0 disables."),
              ConfigKey.of(
                  "connectTimeout",
                  DURATION,
                  "10s",
                  "The longest connecting and logging in to the source may take; longer than"
                      + " 0."))
          .asRequired();

  /** {@code journal:}, the local journal. */
  public static final ConfigKey JOURNAL =
      ConfigKey.mappings(
          "journal",
          SECTION,
          "The local journal every change is kept in.",
          ConfigKey.of(
              "dir", PATH, "./sluice-journal", "The journal directory (one writer at a time)."),
          ConfigKey.of(
              "retention",
              DURATION,
              "7d",
              "Whole days older than this are removed (the current day never is); longer than"
                  + " 0."),
          ConfigKey.choice(
              "sync",
              SyncPolicy.class,
              SyncPolicy.BATCH,
              "batch: synced to disk after every batch, before the source position advances;"
                  + " none: left to the OS (a process crash still loses nothing)."));

  /** One target under {@code targets:}. */
  public static final ConfigKey TARGETS =
      ConfigKey.mappings(
          "targets",
          NAMED_SECTIONS,
          "Databases that rules write into, by name (letters, digits, '_', '-', '.').",
          ConfigKey.required(
              "url",
              URL,
              "jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb:, jdbc:sqlite: (a file, relative to"
                  + " this file), mongodb:, nats: or kafka: URL (kafka://host:9092,host2:9092)."),
          ConfigKey.of("user", STRING, null, "The user, when the URL does not carry it."),
          ConfigKey.of(
              "password",
              SECRET,
              null,
              "The password; write ${NAME} to take it from the environment. Masked in every"
                  + " output."),
          ConfigKey.of(
              "connectTimeout",
              DURATION,
              "10s",
              "The longest connecting and logging in to the target may take; longer than 0."),
          ConfigKey.of(
              "stream",
              STRING,
              null,
              "nats: targets only: the JetStream stream that changes are published to (created"
                  + " when missing, with the subjects <subjectPrefix>.>). Default SLUICE."),
          ConfigKey.of(
              "subjectPrefix",
              STRING,
              null,
              "nats: targets only: each change is published on <subjectPrefix>.<schema>.<table>"
                  + " (or <subjectPrefix>.<rename>). Default sluice."),
          ConfigKey.choice(
              "format",
              StreamFormat.class,
              StreamFormat.DEBEZIUM,
              "nats: targets only: debezium: the JSON of Debezium's converter without schemas;"
                  + " cloudevents: a CloudEvents 1.0 event (structured JSON) with that envelope"
                  + " as its data."),
          ConfigKey.of(
              "transactions",
              BOOLEAN,
              "false",
              "nats: targets only: true sends a BEGIN and an END message around each source"
                  + " transaction's changes on <subjectPrefix>.transaction."),
          ConfigKey.of(
              "token",
              SECRET,
              null,
              "nats: targets only: a token the server accepts; write ${NAME} to take it from the"
                  + " environment. Masked in every output."),
          ConfigKey.of(
              "credentials",
              PATH,
              null,
              "nats: targets only: a NATS credentials file (user JWT and NKey seed)."),
          ConfigKey.of(
              "nkey",
              SECRET,
              null,
              "nats: targets only: an NKey user seed (SU...); write ${NAME} to take it from the"
                  + " environment. Masked in every output."),
          ConfigKey.of(
              "tlsCa",
              PATH,
              null,
              "nats: targets only: PEM file of the certificates that sign the server's; set, the"
                  + " connection uses TLS."),
          ConfigKey.of(
              "tlsCert",
              PATH,
              null,
              "nats: targets only: PEM file of the client certificate, for mutual TLS (with"
                  + " tlsKey)."),
          ConfigKey.of(
              "tlsKey",
              PATH,
              null,
              "nats: targets only: PEM file of the client certificate's private key (PKCS#8,"
                  + " unencrypted)."),
          ConfigKey.of(
              "topicPrefix",
              STRING,
              null,
              "kafka: targets only: each change is a record on the topic"
                  + " <topicPrefix>.<schema>.<table> (or <topicPrefix>.<rename>). Default sluice."),
          ConfigKey.of(
              "securityProtocol",
              STRING,
              null,
              "kafka: targets only: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. Default"
                  + " PLAINTEXT, or SASL_PLAINTEXT when user is set."),
          ConfigKey.of(
              "saslMechanism",
              STRING,
              null,
              "kafka: targets only: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, with user and"
                  + " password. Default PLAIN."),
          ConfigKey.of(
              "trustStore",
              PATH,
              null,
              "kafka: targets only: the TLS trust store (PKCS12 or JKS file) for SSL and SASL_SSL;"
                  + " default the JVM's."),
          ConfigKey.of(
              "trustStorePassword",
              SECRET,
              null,
              "kafka: targets only: the trust store's password; ${NAME} takes it from the"
                  + " environment. Masked in every output."),
          ConfigKey.of(
              "acks",
              STRING,
              null,
              "kafka: targets only: all (the only value: exactly once needs every in-sync"
                  + " replica). Default all."),
          ConfigKey.of(
              "compression", STRING, null, "kafka: targets only: none or gzip. Default none."),
          ConfigKey.of(
              "linger",
              DURATION,
              null,
              "kafka: targets only: how long the producer waits to fill a batch. Default 5ms."),
          ConfigKey.integer(
              "batchSize",
              1,
              Integer.MAX_VALUE,
              "kafka: targets only: the largest batch per partition, in bytes. Default 65536."),
          ConfigKey.integer(
              "partitions",
              0,
              100_000,
              "kafka: targets only: the partitions of each topic Sluice creates; 0 takes the"
                  + " broker's num.partitions. Default 0."),
          ConfigKey.integer(
              "replicationFactor",
              0,
              Short.MAX_VALUE,
              "kafka: targets only: the replicas of each topic Sluice creates (and of the"
                  + " checkpoint topic); 0 takes the broker's default.replication.factor. Default 0."),
          ConfigKey.of(
              "producer",
              PROPERTIES,
              null,
              "kafka: targets only: any other producer property (e.g. ssl.endpoint.identification"
                  + ".algorithm), passed through; properties Sluice sets itself are refused."
                  + " Values of names with password, secret or jaas are masked in every"
                  + " output."));

  /** {@code batch:} of a rule. */
  public static final ConfigKey BATCH =
      ConfigKey.mappings(
          "batch",
          SECTION,
          "How changes are grouped into one target transaction (a source transaction is never"
              + " split).",
          ConfigKey.integer(
              "maxEvents",
              BatchConfig.DEFAULT.maxEvents(),
              1,
              1_000_000,
              "At most this many changes per batch."),
          ConfigKey.of(
              "maxDelay",
              DURATION,
              Durations.format(BatchConfig.DEFAULT.maxDelay()),
              "A batch is applied at the latest this long after its first change arrived."));

  /** One rule under {@code rules:}. */
  public static final ConfigKey RULES =
      ConfigKey.mappings(
          "rules",
          SECTION_LIST,
          "Which captured tables go into which target, and how.",
          ConfigKey.required("name", STRING, "The rule's name (unique)."),
          ConfigKey.required("target", STRING, "The name of a target under targets:."),
          ConfigKey.choice(
              "mode",
              RuleMode.class,
              RuleMode.CDC,
              "cdc: inserts, updates and deletes; mirror: a full copy first, then cdc, and target"
                  + " rows absent on the source are removed; append: inserts only;"
                  + " bidirectional: PostgreSQL to PostgreSQL, both written, the peer's sidecar"
                  + " runs the same rule the other way."),
          ConfigKey.of(
              "tables",
              TABLE_PATTERNS,
              null,
              "The rule's tables among the captured ones. Default: all captured tables."),
          ConfigKey.choice(
              "conflict",
              ConflictPolicy.class,
              ConflictPolicy.SOURCE_WINS,
              "source-wins: the source's change is applied; newer-wins: only when its commit time"
                  + " is newer than the row's; last-update-wins (bidirectional rules only, their"
                  + " default): only when its origin's commit time is later than that of the"
                  + " row's last writer, ties to the node whose name sorts first."),
          ConfigKey.of(
              "rename",
              TABLE_RENAMES,
              null,
              "Target table or collection names by source table: { public.users: users }."),
          ConfigKey.of(
              "excludeColumns",
              TABLE_COLUMNS,
              null,
              "Columns left out, by source table: { public.users: [password_hash] }."),
          BATCH,
          ConfigKey.choice(
              "onError",
              OnError.class,
              OnError.STOP,
              "What happens to a change the target permanently refuses: stop the rule, or skip"
                  + " it into the dead-letter file beside the journal."),
          ConfigKey.of(
              "node",
              STRING,
              null,
              "For mode: bidirectional (and required there): this side's node name; the target's"
                  + " name is the peer's. Ties between equal commit times go to the node whose"
                  + " name sorts first."));

  /** One node of a replica group. */
  public static final ConfigKey NODES =
      ConfigKey.mappings(
              "nodes",
              SECTION_LIST,
              "The group's nodes: exactly one master, and its slaves.",
              ConfigKey.required("name", STRING, "The node's name (unique in its group)."),
              ConfigKey.choice("role", NodeRole.class, null, "The node's configured role."),
              ConfigKey.of(
                  "url",
                  URL,
                  null,
                  "The node's JDBC URL; required unless the node is fed by a rule (fedBy)."),
              ConfigKey.of("user", STRING, null, "The user for probes and routed connections."),
              ConfigKey.of("password", SECRET, null, "The password. Masked in every output."),
              ConfigKey.of(
                  "fedBy", STRING, null, "For a CDC-fed slave: the rule whose target it is."),
              ConfigKey.of(
                  "lagTolerance",
                  LAG_TOLERANCE,
                  "10s",
                  "How far behind it may be and still get reads or be promoted: a time (5s) or"
                      + " WAL (16MB); 0 means fully caught up."),
              ConfigKey.of(
                  "connectTimeout",
                  DURATION,
                  "3s",
                  "The longest getting a routed connection to the node (connecting and logging"
                      + " in) may take; longer than 0."))
          .asRequired();

  /** One group under {@code replicas:}. */
  public static final ConfigKey REPLICAS =
      ConfigKey.mappings(
          "replicas",
          NAMED_SECTIONS,
          "Replica groups by name: a master and its slaves, with measured lag and read routing.",
          ConfigKey.choice(
              "routing",
              RoutingStrategy.class,
              RoutingStrategy.LEAST_LAG,
              "How reads are spread over fresh slaves."),
          ConfigKey.of(
              "hysteresis",
              DURATION,
              "5s",
              "How long a slave back under its tolerance waits before it gets reads again."),
          NODES);

  /** {@code monitor:}, the HTTP server. */
  public static final ConfigKey MONITOR =
      ConfigKey.mappings(
          "monitor",
          SECTION,
          "The HTTP server of the dashboard and API.",
          ConfigKey.of(
              "host",
              STRING,
              "127.0.0.1",
              "The address it binds; anything but loopback needs a token."),
          ConfigKey.integer("port", 14499, 0, 65535, "The port; 0 picks a free one."),
          ConfigKey.of(
              "token",
              SECRET,
              null,
              "The bearer token every request must carry (${SLUICE_TOKEN}). Masked in every"
                  + " output."),
          ConfigKey.of(
              "poll",
              DURATION,
              "2s",
              "How often figures are refreshed and replicas probed; longer than 0."));

  /** {@code state:}, the state file. */
  public static final ConfigKey STATE =
      ConfigKey.of(
          "state",
          PATH,
          "./sluice-state.json",
          "Where the running topology is written (credentials masked).");

  /** The whole document. */
  public static final ConfigKey ROOT =
      ConfigKey.mappings(
          "",
          SECTION,
          "Sluice: change-data-capture sidecar for PostgreSQL.",
          SOURCE,
          JOURNAL,
          TARGETS,
          RULES,
          REPLICAS,
          MONITOR,
          STATE);
}
