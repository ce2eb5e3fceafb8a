package dev.sluice.capture.internal;

import dev.sluice.config.PostgresUrl;
import dev.sluice.config.SnapshotMode;
import dev.sluice.config.SourceConfig;
import dev.sluice.config.TableName;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/** The embedded engine's configuration, derived from {@code source:}. */
public final class EngineProperties {
  /** The prefix of the engine's topics (only used to tell its record kinds apart). */
  public static final String TOPIC_PREFIX = "sluice";

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
   * @param tables the captured tables
   * @param offsetsFile where the engine's position is stored
   * @param tuning batch and queue sizes
   */
  public static Properties of(
      SourceConfig source, Collection<TableName> tables, Path offsetsFile, Tuning tuning) {
    PostgresUrl url = source.parsedUrl();
    Properties p = new Properties();
    p.setProperty("name", engineName(source));
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
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
    // a snapshot of tables added to capture is asked for through the engine's signaler
    p.setProperty("signal.enabled.channels", "in-process");
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
    p.setProperty("skipped.operations", "none");
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
   * @param maxQueueBytes bytes the engine buffers (the bound that keeps the heap safe)
   * @param pollMillis how long the engine waits for records when its queue is empty
   * @param offsetFlushMillis how often the stored position (and so the slot) advances
   */
  public record Tuning(
      int maxBatchSize,
      int maxQueueSize,
      long maxQueueBytes,
      long pollMillis,
      long offsetFlushMillis) {
    public static final Tuning DEFAULT = new Tuning(8192, 32768, 64L << 20, 5, 1000);
  }
}
