package dev.sluice.config;

import java.util.Locale;
import java.util.Optional;

/** The kind of database behind a URL. */
public enum Dialect implements YamlEnum {
  POSTGRESQL("jdbc:postgresql:"),
  MYSQL("jdbc:mysql:", "jdbc:mariadb:"),
  SQLITE("jdbc:sqlite:"),
  MONGODB("mongodb:", "mongodb+srv:"),
  /** A NATS JetStream stream: each change is published as a message (a stream target). */
  NATS("nats:"),
  /**
   * A Kafka cluster ({@code kafka://host:9092,host2:9092}): each change is a record (a stream
   * target).
   */
  KAFKA("kafka:");

  private final String[] prefixes;

  Dialect(String... prefixes) {
    this.prefixes = prefixes;
  }

  /** The dialect of a JDBC, MongoDB, NATS or Kafka URL, if it is one Sluice knows. */
  public static Optional<Dialect> ofUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    for (Dialect dialect : values()) {
      for (String prefix : dialect.prefixes) {
        if (lower.startsWith(prefix)) {
          return Optional.of(dialect);
        }
      }
    }
    return Optional.empty();
  }

  public boolean isSql() {
    return this != MONGODB && !isStream();
  }

  /** Whether the target is a message stream (changes are published, not applied to tables). */
  public boolean isStream() {
    return this == NATS || this == KAFKA;
  }
}
