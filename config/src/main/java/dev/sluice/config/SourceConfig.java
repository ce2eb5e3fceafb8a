package dev.sluice.config;

import java.time.Duration;
import java.util.List;

/**
 * The PostgreSQL primary that Sluice captures.
 *
 * @param url a single-host {@code jdbc:postgresql://} URL
 * @param user the user name; it needs the REPLICATION attribute
 * @param password the password, or null for none
 * @param slot the logical replication slot's name
 * @param publication the publication's name
 * @param tables the captured tables; empty means every table with a primary key
 * @param snapshot when existing rows are read
 * @param heartbeat how often an idle source is written to so its slot can advance; zero disables
 * @param connectTimeout the longest an attempt to connect and log in may take (default 10 s)
 */
public record SourceConfig(
    String url,
    String user,
    Secret password,
    String slot,
    String publication,
    List<TablePattern> tables,
    SnapshotMode snapshot,
    Duration heartbeat,
    Duration connectTimeout) {
  /** {@code source.connectTimeout} when the file does not set it. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  public SourceConfig {
    tables = List.copyOf(tables);
  }

  /** A source with the default {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public SourceConfig(
      String url,
      String user,
      Secret password,
      String slot,
      String publication,
      List<TablePattern> tables,
      SnapshotMode snapshot,
      Duration heartbeat) {
    this(
        url,
        user,
        password,
        slot,
        publication,
        tables,
        snapshot,
        heartbeat,
        DEFAULT_CONNECT_TIMEOUT);
  }

  public PostgresUrl parsedUrl() {
    return PostgresUrl.parse(url);
  }

  /** Whether a table is captured: it matches {@link #tables()}, or that list is empty. */
  public boolean captures(TableName table) {
    return TablePattern.anyMatches(tables, table);
  }

  /** The fields, with the URL's password masked (the password itself prints masked). */
  @Override
  public String toString() {
    return "SourceConfig[url="
        + Masking.maskUrl(url)
        + ", user="
        + user
        + ", password="
        + password
        + ", slot="
        + slot
        + ", publication="
        + publication
        + ", tables="
        + tables
        + ", snapshot="
        + snapshot
        + ", heartbeat="
        + heartbeat
        + ", connectTimeout="
        + connectTimeout
        + "]";
  }
}
