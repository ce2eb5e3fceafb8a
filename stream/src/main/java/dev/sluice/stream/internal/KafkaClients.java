package dev.sluice.stream.internal;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.TargetConfig;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/** The client properties of a {@code kafka:} target: connection and security first, then roles. */
final class KafkaClients {
  private KafkaClients() {}

  /** {@code kafka://h1:9092,h2:9092/} as {@code h1:9092,h2:9092}. */
  static String bootstrapServers(String url) {
    String rest = url.substring("kafka:".length());
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
    }
    return rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
  }

  /** What every client of the target shares: where, how securely, and how long to wait. */
  static Properties common(TargetConfig target) {
    KafkaSettings settings = target.kafka();
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(target.url()));
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, settings.securityProtocol());
    if (settings.securityProtocol().startsWith("SASL_")) {
      p.put(SaslConfigs.SASL_MECHANISM, settings.saslMechanism());
      String module =
          settings.saslMechanism().equals("PLAIN")
              ? "org.apache.kafka.common.security.plain.PlainLoginModule"
              : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          module
              + " required username=\""
              + jaasEscape(target.user())
              + "\" password=\""
              + jaasEscape(target.password() == null ? "" : target.password().reveal())
              + "\";");
    }
    if (settings.trustStore() != null) {
      p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, settings.trustStore().toString());
      String name = settings.trustStore().getFileName().toString().toLowerCase(Locale.ROOT);
      p.put(
          SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
          name.endsWith(".jks") ? "JKS" : name.endsWith(".pem") ? "PEM" : "PKCS12");
      if (settings.trustStorePassword() != null) {
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, settings.trustStorePassword().reveal());
      }
    }
    long timeout = Math.max(target.connectTimeout().toMillis(), 1000);
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout, 30_000));
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(timeout, 30_000));
    p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
    return p;
  }

  static Properties admin(TargetConfig target) {
    Properties p = common(target);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "sluice-admin");
    return p;
  }

  /**
   * An idempotent, transactional producer of one rule; {@code producer:} adds what Sluice does not
   * set.
   */
  static Properties producer(TargetConfig target, String rule) {
    KafkaSettings settings = target.kafka();
    Properties p = common(target);
    p.putAll(settings.producer());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, KafkaTarget.transactionalId(rule));
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, KafkaTarget.transactionalId(rule));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) settings.linger().toMillis());
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, settings.batchSize());
    long timeout = Math.max(target.connectTimeout().toMillis(), 1000);
    // how long send, commit and initTransactions may block on a cluster that is away; the rule
    // pauses and retries after that
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(timeout, 30_000));
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    return p;
  }

  /** Reads what is committed only: what an aborted transaction wrote is never seen. */
  static Properties consumer(TargetConfig target) {
    Properties p = common(target);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-reader");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    return p;
  }

  /** A value inside a JAAS configuration's double quotes. */
  static String jaasEscape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
