package dev.sluice.capture.internal;

import dev.sluice.config.PostgresUrl;
import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/** The embedded engine's configuration, derived from {@code source:}. */
public final class EngineProperties {
  /** The prefix of the engine's topics (only used to tell its record kinds apart). */
  public static final String TOPIC_PREFIX = "sluice";

  /** The topic of the engine's snapshot notifications (see {@link JournalSink}). */
  public static final String NOTIFICATION_TOPIC = TOPIC_PREFIX + ".notifications";

  private static final Set<String> PASSED_URL_PARAMETERS =
      Set.of(
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "sslpassword",
          "sslfactory",
          "tcpKeepAlive");

  private EngineProperties() {}

  /** The engine's name, which also names its stored offsets. */
  public static String engineName(SourceConfig source) {
    return "sluice-" + source.slot();
  }

  /**
   * The session settings of every engine connection (snapshot and replication): the text forms
   * {@link ExactValues} reads are PostgreSQL's ISO ones whatever the server's defaults are.
   */
  static final String SESSION_OPTIONS =
      "-c DateStyle=ISO -c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=3";

  /**
   * @param tables the captured tables
   * @param offsetsFile where the engine's position is stored
   * @param tuning batch and queue sizes
   * @param snapshotSelects the statement a snapshot reads each table with ({@link
   *     SourceCatalog#snapshotSelect}); tables without one are read the engine's way
   */
  public static Properties of(
      SourceConfig source,
      Collection<TableName> tables,
      Path offsetsFile,
      Tuning tuning,
      Map<TableName, String> snapshotSelects) {
    PostgresUrl url = source.parsedUrl();
    Properties p = new Properties();
    p.setProperty("name", engineName(source));
    // the engine's JMX names carry the slot, so two captures in one JVM (the two halves of a
    // bidirectional pair in a test) do not wait a minute for each other's names
    p.setProperty("custom.metric.tags", "slot=" + source.slot());
    // Debezium's connector, less its metrics' per-change work (see QuietMetrics)
    p.setProperty("connector.class", CaptureConnector.class.getName());
    p.setProperty("offset.storage", DurableOffsetStore.class.getName());
    p.setProperty(DurableOffsetStore.FILE, offsetsFile.toString());
    p.setProperty("offset.flush.interval.ms", Long.toString(tuning.offsetFlushMillis()));
    p.setProperty("offset.flush.timeout.ms", "30000");
    p.setProperty("database.hostname", url.host());
    p.setProperty("database.port", Integer.toString(url.port()));
    p.setProperty("database.dbname", url.database());
    p.setProperty("database.user", source.user());
    p.setProperty("database.password", source.password() == null ? "" : source.password().reveal());
    url.parameters()
        .forEach(
            (key, value) -> {
              if (PASSED_URL_PARAMETERS.contains(key)) {
                p.setProperty("database." + key, value);
              }
            });
    p.setProperty("topic.prefix", TOPIC_PREFIX);
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", source.slot());
    // PostgreSQL 17+ primaries only (Debezium creates an ordinary slot elsewhere): a standby with
    // sync_replication_slots = on keeps a copy, so capture resumes there after a promotion
    p.setProperty("slot.failover", "true");
    p.setProperty("publication.name", source.publication());
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty(
        "table.include.list",
        tables.stream().map(EngineProperties::tableRegex).collect(Collectors.joining(",")));
    // a snapshot of tables added to capture is asked for through the engine's signaler; the engine
    // looks at its in-process queue of signals this often (a queue poll; its default is 5 s)
    p.setProperty("signal.enabled.channels", "in-process");
    p.setProperty("signal.poll.interval.ms", "100");
    // snapshot started/completed/aborted reach the journal sink as records, in order with the rows
    p.setProperty("notification.enabled.channels", "sink");
    p.setProperty("notification.sink.topic.name", NOTIFICATION_TOPIC);
    p.setProperty("snapshot.mode", snapshotMode(source.snapshot()));
    if (!source.heartbeat().isZero()) {
      p.setProperty("heartbeat.interval.ms", Long.toString(source.heartbeat().toMillis()));
      p.setProperty(
          "heartbeat.action.query",
          "INSERT INTO "
              + SourceCatalog.quoted(SourceCatalog.HEARTBEAT)
              + " (slot, at) VALUES ('"
              + source.slot()
              + "', now()) ON CONFLICT (slot) DO UPDATE SET at = excluded.at");
    }
    p.setProperty("provide.transaction.metadata", "true");
    // the source block without what Sluice does not read (its sequence is written by Jackson)
    p.setProperty("sourceinfo.struct.maker", SourceStructMaker.class.getName());
    // no context headers per change (copied headers and a UUID string each); the headers of a
    // primary key change, which the sink reads, are the change's own and stay
    p.setProperty("extended.headers.enabled", "false");
    p.setProperty("skipped.operations", "none");
    // every column's value is converted by ExactValues, from PostgreSQL's own text where the
    // engine hands it over; the engine's own conversions below apply to nothing captured
    p.setProperty("converters", ExactValues.NAME);
    p.setProperty(ExactValues.NAME + ".type", ExactValues.class.getName());
    p.setProperty("driver.options", SESSION_OPTIONS);
    snapshotSelects(p, snapshotSelects);
    p.setProperty("decimal.handling.mode", "string");
    p.setProperty("interval.handling.mode", "string");
    p.setProperty("time.precision.mode", "adaptive_time_microseconds");
    p.setProperty("binary.handling.mode", "bytes");
    p.setProperty("hstore.handling.mode", "json");
    p.setProperty("tombstones.on.delete", "false");
    p.setProperty("unavailable.value.placeholder", RecordMapper.UNCHANGED_PLACEHOLDER);
    p.setProperty("column.propagate.source.type", ".*");
    p.setProperty("include.unknown.datatypes", "true");
    // The engine's latency statistics (a sketch updated per record, fed through a queue of 1,000
    // that overflows under load, logging a warning per record dropped): Sluice measures its own
    // rates, and the benchmark showed this cost a tenth of capture's time and 8,000 log lines per
    // million rows.
    p.setProperty("statistics.metrics.enabled", "false");
    p.setProperty("max.batch.size", Integer.toString(tuning.maxBatchSize()));
    p.setProperty("max.queue.size", Integer.toString(tuning.maxQueueSize()));
    p.setProperty("max.queue.size.in.bytes", Long.toString(tuning.maxQueueBytes()));
    p.setProperty("poll.interval.ms", Long.toString(tuning.pollMillis()));
    p.setProperty("snapshot.fetch.size", "10240");
    p.setProperty("errors.max.retries", "-1");
    p.setProperty("errors.retry.delay.initial.ms", "500");
    p.setProperty("errors.retry.delay.max.ms", "10000");
    p.setProperty("retriable.restart.connector.wait.ms", "2000");
    return p;
  }

  private static final String OVERRIDES = "snapshot.select.statement.overrides";

  /**
   * The engine reads the tables it snapshots with these statements. It lists them in one setting
   * separated by commas, so a table whose name has a comma (or surrounding spaces) is read the
   * engine's way, and a warning says so.
   */
  private static void snapshotSelects(Properties p, Map<TableName, String> selects) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    selects.forEach(
        (table, select) -> {
          String key = overrideKey(table);
          if (key == null) {
            org.slf4j.LoggerFactory.getLogger(EngineProperties.class)
                .warn(
                    "the name of {} has a comma or surrounding spaces: its snapshot reads dates,"
                        + " intervals, arrays and geometric values through the engine, which"
                        + " cannot read BC dates, interval infinities or array bounds exactly",
                    table);
            return;
          }
          keys.add(key);
          p.setProperty(OVERRIDES + "." + key, select);
        });
    if (!keys.isEmpty()) {
      p.setProperty(OVERRIDES, String.join(",", keys));
    }
  }

  /**
   * {@code schema.table} as the engine parses table names, parts with other characters than
   * letters, digits and {@code _} double-quoted; null when it cannot be listed.
   */
  static String overrideKey(TableName table) {
    String schema = overridePart(table.schema());
    String name = overridePart(table.name());
    return schema == null || name == null ? null : schema + "." + name;
  }

  private static String overridePart(String part) {
    if (part.contains(",") || !part.equals(part.trim()) || part.isEmpty()) {
      return null;
    }
    return part.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_'))
        ? part
        : '"' + part.replace("\"", "\"\"") + '"';
  }

  /**
   * The regular expression the engine matches exactly this table's name with. Letters, digits and
   * {@code _} stand for themselves, every other character is written as {@code \x{hex}}: the engine
   * splits its include list at commas (a {@code \} escapes the next character), so a name with a
   * comma or a backslash, quoted whole, would be cut in two.
   */
  public static String tableRegex(TableName table) {
    return literal(table.schema()) + "\\." + literal(table.name());
  }

  private static String literal(String text) {
    StringBuilder regex = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c < 128 && (Character.isLetterOrDigit(c) || c == '_')) {
                regex.appendCodePoint(c);
              } else {
                regex.append("\\x{").append(Integer.toHexString(c)).append('}');
              }
            });
    return regex.toString();
  }

  private static String snapshotMode(SnapshotMode mode) {
    return switch (mode) {
      case INITIAL -> "initial";
      case NEVER -> "no_data";
      case ALWAYS -> "always";
    };
  }

  /**
   * Sizes that trade memory for throughput.
   *
   * @param maxBatchSize records per batch handed to the journal
   * @param maxQueueSize records the engine buffers
   * @param maxQueueBytes bytes the engine buffers, or 0 for no bound in bytes (the engine then
   *     walks no record to size it: that walk, on the engine's streaming thread, cost a sixth of
   *     its CPU time); the heap is then bounded by {@code maxQueueSize + maxBatchSize} records
   * @param pollMillis how long the engine waits for records when its queue is empty
   * @param offsetFlushMillis how often the stored position (and so the slot) advances
   * @param minSyncMicros the least time between two syncs of the journal, microseconds: with a
   *     short poll interval, changes reach the journal soon, and those arriving within this time
   *     share one sync instead of costing a disk flush each
   */
  public record Tuning(
      int maxBatchSize,
      int maxQueueSize,
      long maxQueueBytes,
      long pollMillis,
      long offsetFlushMillis,
      long minSyncMicros) {
    /**
     * At most 10,240 records in flight: 8,192 queued and a batch of 2,048 being journaled (about 15
     * MB for rows of the benchmark's four columns, 1 KB each in the engine's form; 100 MB for rows
     * of 10 KB).
     */
    public static final Tuning DEFAULT = new Tuning(2048, 8192, 0, 1, 1000, 2000);
  }
}
