package dev.sluice.config;

/**
 * A database that rules write into.
 *
 * @param name the name rules use for it
 * @param url a JDBC URL (PostgreSQL, MySQL/MariaDB, SQLite) or a MongoDB connection string
 * @param user the user name, or null when the URL carries it or none is needed
 * @param password the password, or null
 * @param dialect the kind of database, from the URL
 * @param stream where a stream target publishes; null for databases
 */
public record TargetConfig(
    String name, String url, String user, Secret password, Dialect dialect, StreamSettings stream) {

  /** A database target. */
  public TargetConfig(String name, String url, String user, Secret password, Dialect dialect) {
    this(name, url, user, password, dialect, null);
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
        + (stream == null ? "" : ", stream=" + stream)
        + "]";
  }
}
