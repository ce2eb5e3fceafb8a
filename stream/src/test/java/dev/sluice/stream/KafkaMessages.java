package dev.sluice.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics back as a consumer of the changes would: {@code isolation.level=read_committed},
 * every record from the start to the end the broker reports now.
 */
public final class KafkaMessages {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One record, its value read as JSON (null for a tombstone). */
  public record Message(
      String topic,
      int partition,
      long offset,
      String key,
      JsonNode value,
      String position,
      String rule,
      String table,
      String commit,
      String transaction) {
    String op() {
      return value == null ? null : value.get("op").asText();
    }
  }

  private KafkaMessages() {}

  /** Every committed record of the topics whose names start with {@code prefix}. */
  public static List<Message> read(String bootstrapServers, String prefix) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .listTopics(Duration.ofSeconds(20))
          .forEach(
              (topic, infos) -> {
                if (topic.startsWith(prefix)) {
                  infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                }
              });
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(20));
      List<Message> messages = new ArrayList<>();
      while (!reached(consumer, end)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          messages.add(
              new Message(
                  r.topic(),
                  r.partition(),
                  r.offset(),
                  r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                  r.value() == null ? null : JSON.readTree(r.value()),
                  header(r, "sluice.position"),
                  header(r, "sluice.rule"),
                  header(r, "sluice.table"),
                  header(r, "sluice.commit"),
                  header(r, "sluice.transaction")));
        }
      }
      return messages;
    }
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
