package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where and how a {@code kafka:} target publishes. SASL's user and password are the target's own
 * {@code user} and {@code password}.
 *
 * @param topicPrefix every topic is {@code <topicPrefix>.<schema>.<table>}
 * @param securityProtocol {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code
 *     SASL_SSL}
 * @param saslMechanism {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
 * @param trustStore the TLS trust store (a file), or null for the JVM's
 * @param trustStorePassword the trust store's password, or null
 * @param acks always {@code all}: exactly once needs every in-sync replica's acknowledgement
 * @param compression {@code none} or {@code gzip}
 * @param linger how long the producer waits to fill a batch
 * @param batchSize the largest batch per partition, in bytes
 * @param partitions the partitions of a topic Sluice creates; 0 for the broker's default
 * @param replicationFactor the replicas of a topic Sluice creates; 0 for the broker's default
 * @param producer other producer properties, passed through as written
 * @param format how each change is written
 * @param transactions whether a BEGIN and an END record frame each source transaction's changes on
 *     {@code <topicPrefix>.transaction}
 */
public record KafkaSettings(
    String topicPrefix,
    String securityProtocol,
    String saslMechanism,
    Path trustStore,
    Secret trustStorePassword,
    String acks,
    String compression,
    Duration linger,
    int batchSize,
    int partitions,
    int replicationFactor,
    Map<String, String> producer,
    StreamFormat format,
    boolean transactions) {
  public static final String DEFAULT_TOPIC_PREFIX = "sluice";
  public static final Set<String> SECURITY_PROTOCOLS =
      Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  public static final Set<String> SASL_MECHANISMS =
      Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
  public static final Set<String> COMPRESSIONS = Set.of("none", "gzip");

  /**
   * Producer properties Sluice sets itself, which {@code producer:} cannot: they decide exactly
   * once, the message format or come from keys of their own.
   */
  public static final Set<String> OWNED_PROPERTIES =
      Set.of(
          "bootstrap.servers",
          "transactional.id",
          "enable.idempotence",
          "key.serializer",
          "value.serializer",
          "acks",
          "max.in.flight.requests.per.connection",
          "retries",
          "security.protocol",
          "sasl.mechanism",
          "sasl.jaas.config",
          "ssl.truststore.location",
          "ssl.truststore.password",
          "compression.type",
          "linger.ms",
          "batch.size",
          "client.id");

  public KafkaSettings {
    producer = Map.copyOf(producer);
    if (format == null) {
      format = StreamFormat.DEBEZIUM;
    }
  }

  /** These settings with another topic prefix. */
  public KafkaSettings withTopicPrefix(String prefix) {
    return new KafkaSettings(
        prefix,
        securityProtocol,
        saslMechanism,
        trustStore,
        trustStorePassword,
        acks,
        compression,
        linger,
        batchSize,
        partitions,
        replicationFactor,
        producer,
        format,
        transactions);
  }

  /** Whether a passed-through property's value is secret (printed masked). */
  public static boolean isSecretProperty(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.contains("password") || lower.contains("secret") || lower.contains("jaas");
  }

  /** The fields, with the trust store's password and secret producer properties masked. */
  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    producer.forEach((k, v) -> shown.put(k, isSecretProperty(k) ? Secret.MASK : v));
    return "KafkaSettings[topicPrefix="
        + topicPrefix
        + ", securityProtocol="
        + securityProtocol
        + ", saslMechanism="
        + saslMechanism
        + ", trustStore="
        + trustStore
        + ", trustStorePassword="
        + trustStorePassword
        + ", acks="
        + acks
        + ", compression="
        + compression
        + ", linger="
        + linger
        + ", batchSize="
        + batchSize
        + ", partitions="
        + partitions
        + ", replicationFactor="
        + replicationFactor
        + ", producer="
        + shown
        + ", format="
        + format
        + ", transactions="
        + transactions
        + "]";
  }
}
