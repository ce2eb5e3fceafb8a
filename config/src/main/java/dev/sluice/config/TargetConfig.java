package dev.sluice.config;

/**
 * A database that rules write into.
 *
 * @param name the name rules use for it
 * @param url a JDBC URL (PostgreSQL, MySQL/MariaDB, SQLite) or a MongoDB connection string
 * @param user the user name, or null when the URL carries it or none is needed
 * @param password the password, or null
 * @param dialect the kind of database, from the URL
 * @param connectTimeout the longest an attempt to connect and log in may take (default 10 s)
 * @param stream where a nats: target publishes; null for other targets
 * @param kafka how a kafka: target publishes; null for other targets
 */
public record TargetConfig(
    String name,
    String url,
    String user,
    Secret password,
    Dialect dialect,
    java.time.Duration connectTimeout,
    StreamSettings stream,
    KafkaSettings kafka) {
  /** {@code targets.<name>.connectTimeout} when the file does not set it. */
  public static final java.time.Duration DEFAULT_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);

  /** A database target with the default {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public TargetConfig(String name, String url, String user, Secret password, Dialect dialect) {
    this(name, url, user, password, dialect, DEFAULT_CONNECT_TIMEOUT, null, null);
  }

  /** A database target. */
  public TargetConfig(
      String name,
      String url,
      String user,
      Secret password,
      Dialect dialect,
      java.time.Duration connectTimeout) {
    this(name, url, user, password, dialect, connectTimeout, null, null);
  }

  /** A target with the default {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public TargetConfig(
      String name,
      String url,
      String user,
      Secret password,
      Dialect dialect,
      StreamSettings stream) {
    this(name, url, user, password, dialect, DEFAULT_CONNECT_TIMEOUT, stream, null);
  }

  /** A target that is not a kafka: one. */
  public TargetConfig(
      String name,
      String url,
      String user,
      Secret password,
      Dialect dialect,
      java.time.Duration connectTimeout,
      StreamSettings stream) {
    this(name, url, user, password, dialect, connectTimeout, stream, null);
  }

  /** The URL with any password in it masked, for messages. */
  public String maskedUrl() {
    return Masking.maskUrl(url);
  }

  /** The fields, with the URL's password masked (the password itself prints masked). */
  @Override
  public String toString() {
    return "TargetConfig[name="
        + name
        + ", url="
        + maskedUrl()
        + ", user="
        + user
        + ", password="
        + password
        + ", dialect="
        + dialect
        + ", connectTimeout="
        + connectTimeout
        + (stream == null ? "" : ", stream=" + stream)
        + (kafka == null ? "" : ", kafka=" + kafka)
        + "]";
  }
}
