package dev.sluice.config;

/**
 * A member of a replica group.
 *
 * @param name the node's name (unique in its group)
 * @param role its configured role (promotion may change the running role)
 * @param url its JDBC URL; null for a CDC-fed slave that uses its rule's target
 * @param user the user name, or null
 * @param password the password, or null
 * @param fedBy for a CDC-fed slave, the rule that feeds it; null for streaming standbys and masters
 * @param lagTolerance how far behind it may be and still get reads or be promoted
 * @param connectTimeout the longest a routed connection (a pool's checkout, including connecting
 *     and logging in) may take (default 3 s, so a node that died between two probes fails fast)
 */
public record NodeConfig(
    String name,
    NodeRole role,
    String url,
    String user,
    Secret password,
    String fedBy,
    LagTolerance lagTolerance,
    java.time.Duration connectTimeout) {
  /** {@code nodes[].connectTimeout} when the file does not set it. */
  public static final java.time.Duration DEFAULT_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(3);

  /** A node with the default {@link #DEFAULT_CONNECT_TIMEOUT}. */
  public NodeConfig(
      String name,
      NodeRole role,
      String url,
      String user,
      Secret password,
      String fedBy,
      LagTolerance lagTolerance) {
    this(name, role, url, user, password, fedBy, lagTolerance, DEFAULT_CONNECT_TIMEOUT);
  }

  public boolean isCdcFed() {
    return fedBy != null;
  }

  /** The fields, with the URL's password masked (the password itself prints masked). */
  @Override
  public String toString() {
    return "NodeConfig[name="
        + name
        + ", role="
        + role
        + ", url="
        + Masking.maskUrl(url)
        + ", user="
        + user
        + ", password="
        + password
        + ", fedBy="
        + fedBy
        + ", lagTolerance="
        + lagTolerance
        + ", connectTimeout="
        + connectTimeout
        + "]";
  }
}
