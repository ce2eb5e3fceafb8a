package dev.sluice.stream.internal;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.StreamTarget;
import dev.sluice.apply.TargetException;
import dev.sluice.config.KafkaSettings;
import dev.sluice.config.StreamSettings;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalPosition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A rule's Kafka producer, exactly once by Kafka's transactions.
 *
 * <ul>
 *   <li>Each change is one record on its table's topic ({@link Topics}), keyed by the primary key
 *       (JSON), its body and headers those of {@link RuleMessages} (the target's format), but for
 *       {@code sluice.key}. With transaction messages on, BEGIN and END go to {@code
 *       <topicPrefix>.transaction}. Topics are created through the admin client when missing.
 *   <li>The producer is idempotent and transactional, with {@code transactional.id} {@code
 *       sluice-<rule>}. The changes between two commits and the rule's checkpoint (a record keyed
 *       by the rule on the compacted topic {@code sluice-checkpoints}) go in one transaction: a
 *       consumer reading {@code read_committed} sees the changes exactly when the checkpoint that
 *       covers them is there.
 *   <li>A new connection's {@code initTransactions} aborts what a previous one (a crashed process)
 *       left open, and fences it off; the checkpoint is then read back {@code read_committed}, so
 *       the rule resumes after the last committed change: nothing lost, nothing twice.
 * </ul>
 *
 * <p>Used by one thread.
 */
public final class KafkaTarget implements StreamTarget {
  public static final String CHECKPOINT_TOPIC = "sluice-checkpoints";
  public static final String POSITION = StreamMessage.POSITION;
  public static final String RULE = StreamMessage.RULE;
  public static final String TABLE = StreamMessage.TABLE;
  public static final String COMMIT = StreamMessage.COMMIT;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  /** Longer than the producers' default {@code transaction.timeout.ms} (60 s). */
  private static final Duration DECIDED_TIMEOUT = Duration.ofSeconds(75);

  /** How often a held checkpoint partition is checked for a hanging transaction. */
  private static final Duration HANGING_CHECK = Duration.ofSeconds(5);

  private final TargetConfig target;
  private final String rule;
  private final KafkaSettings settings;
  private final Admin admin;

  /** Null when opened to {@link #inspect} only. */
  private final KafkaProducer<byte[], byte[]> producer;

  private final RuleMessages messages;
  private final Set<String> knownTopics = new HashSet<>();
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private boolean inTransaction;

  private KafkaTarget(
      TargetConfig target,
      String rule,
      Admin admin,
      KafkaProducer<byte[], byte[]> producer,
      RuleMessages messages) {
    this.target = target;
    this.rule = rule;
    this.settings = target.kafka();
    this.admin = admin;
    this.producer = producer;
    this.messages = messages;
  }

  /**
   * Connects: creates the checkpoint topic when missing and fences off (aborting its open
   * transaction) any earlier producer of the rule.
   */
  public static KafkaTarget connect(TargetConfig target, String rule, String database)
      throws TargetException {
    return open(target, rule, database, true);
  }

  /**
   * Opens the target to read back what a rule published ({@link #checkpoint}, {@link #held}) with
   * no producer: the rule's own producer, running elsewhere, is not fenced off. Sending or
   * committing through it throws {@link IllegalStateException}.
   */
  public static KafkaTarget inspect(TargetConfig target, String rule, String database)
      throws TargetException {
    return open(target, rule, database, false);
  }

  private static KafkaTarget open(
      TargetConfig target, String rule, String database, boolean publishing)
      throws TargetException {
    KafkaSettings settings = target.kafka();
    Admin admin = null;
    KafkaProducer<byte[], byte[]> producer = null;
    try {
      admin = Admin.create(KafkaClients.admin(target));
      ensureTopic(target, admin, CHECKPOINT_TOPIC, 1, true);
      if (publishing) {
        producer =
            new KafkaProducer<>(
                KafkaClients.producer(target, rule),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        producer.initTransactions();
      }
      ChangeFormat format = ChangeFormat.of(settings.format(), settings.topicPrefix(), database);
      return new KafkaTarget(
          target, rule, admin, producer, new RuleMessages(rule, format, settings.transactions()));
    } catch (TargetException e) {
      closeQuietly(producer, admin);
      throw e;
    } catch (KafkaException e) {
      closeQuietly(producer, admin);
      throw failure(target, "cannot connect", e);
    }
  }

  /** The rule's transactional id: one live producer per rule and Kafka cluster. */
  public static String transactionalId(String rule) {
    return "sluice-" + rule;
  }

  private static void ensureTopic(
      TargetConfig target, Admin admin, String topic, int partitions, boolean compacted)
      throws TargetException {
    try {
      if (admin
          .listTopics()
          .names()
          .get(timeoutMillis(target), TimeUnit.MILLISECONDS)
          .contains(topic)) {
        return;
      }
      KafkaSettings settings = target.kafka();
      NewTopic create =
          new NewTopic(
              topic,
              Optional.ofNullable(partitions > 0 ? partitions : null),
              Optional.ofNullable(
                  settings.replicationFactor() > 0 ? (short) settings.replicationFactor() : null));
      if (compacted) {
        create.configs(
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      }
      admin.createTopics(List.of(create)).all().get(timeoutMillis(target), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return; // made meanwhile by another rule
      }
      Throwable cause = e.getCause();
      throw new TargetException(
          "target "
              + target.name()
              + " ("
              + target.maskedUrl()
              + "): cannot create topic "
              + topic
              + ": "
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage(),
          !(cause instanceof InvalidTopicException || cause instanceof AuthorizationException),
          cause);
    } catch (TimeoutException e) {
      throw failure(target, "cannot reach the cluster to create topic " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(target, "interrupted", e);
    } catch (KafkaException e) {
      throw failure(target, "cannot create topic " + topic, e);
    }
  }

  private static long timeoutMillis(TargetConfig target) {
    return Math.max(target.connectTimeout().toMillis(), 1000);
  }

  @Override
  public Optional<Checkpoint> checkpoint() throws TargetException {
    Checkpoint latest = null;
    TopicPartition partition = new TopicPartition(CHECKPOINT_TOPIC, 0);
    awaitDecided(partition);
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      byte[] key = checkpointKey();
      List<byte[]> values = new ArrayList<>();
      readAll(
          consumer,
          List.of(partition),
          record -> {
            if (java.util.Arrays.equals(key, record.key())) {
              values.add(record.value());
            }
          });
      byte[] last = values.isEmpty() ? null : values.get(values.size() - 1);
      if (last != null) {
        String[] parts = new String(last, StandardCharsets.UTF_8).split(" ");
        long position = Long.parseLong(parts[0]);
        latest =
            position == JournalPosition.NONE
                ? null
                : new Checkpoint(position, Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      }
      return Optional.ofNullable(latest);
    } catch (KafkaException | IllegalStateException e) {
      throw failure("cannot read the checkpoint of rule " + rule + " from " + CHECKPOINT_TOPIC, e);
    }
  }

  /**
   * Waits until every record the partition holds now is committed or aborted. Other rules write
   * their checkpoints to the same partition: a transaction of theirs that is still open (or that a
   * crashed process left open, until the broker aborts it after {@code transaction.timeout.ms})
   * holds back what a {@code read_committed} reader sees, and with it this rule's own last
   * checkpoint when that was written after it.
   */
  private void awaitDecided(TopicPartition partition) throws TargetException {
    long started = System.nanoTime();
    long deadline = started + DECIDED_TIMEOUT.toNanos();
    long diagnosed = started;
    try {
      long written = endOffset(partition, IsolationLevel.READ_UNCOMMITTED);
      while (endOffset(partition, IsolationLevel.READ_COMMITTED) < written) {
        long now = System.nanoTime();
        if (now - diagnosed > HANGING_CHECK.toNanos()) {
          // a hanging transaction never ends: say so now rather than after the timeout
          diagnosed = now;
          List<HangingTransactions.Hanging> hanging = hangingOn(partition);
          if (!hanging.isEmpty()) {
            throw hangingFailure(hanging);
          }
        }
        if (now > deadline) {
          throw new TargetException(
              "target "
                  + target.name()
                  + " ("
                  + target.maskedUrl()
                  + "): an open transaction on "
                  + CHECKPOINT_TOPIC
                  + " (another rule's, or one a crashed process left) has not ended within "
                  + DECIDED_TIMEOUT.toSeconds()
                  + " s; the broker aborts it after its transaction.timeout.ms",
              true,
              null);
        }
        Thread.sleep(100);
      }
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw failure("cannot read the end offsets of " + CHECKPOINT_TOPIC, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted", e);
    }
  }

  /**
   * The hanging transactions that hold {@code partition}, with every partition of this target's
   * topics that the same producers hold; empty too when the cluster does not tell (the admin client
   * lacks the rights to describe producers and transactions, say).
   */
  private List<HangingTransactions.Hanging> hangingOn(TopicPartition partition)
      throws InterruptedException {
    long timeout = timeoutMillis(target);
    try {
      List<HangingTransactions.Hanging> here =
          HangingTransactions.find(admin, List.of(partition), timeout);
      if (here.isEmpty()) {
        return here;
      }
      Set<Long> producers = new HashSet<>();
      here.forEach(h -> producers.add(h.producerId()));
      List<TopicPartition> all = new ArrayList<>(List.of(partition));
      all.addAll(topicPartitions(timeout));
      return HangingTransactions.find(admin, all, timeout).stream()
          .filter(h -> producers.contains(h.producerId()))
          .toList();
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      return List.of();
    }
  }

  /** Every partition of the topics under this target's {@code topicPrefix}. */
  private List<TopicPartition> topicPartitions(long timeout)
      throws ExecutionException, InterruptedException, TimeoutException {
    String prefix = settings.topicPrefix() + ".";
    List<String> topics =
        admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS).stream()
            .filter(t -> t.startsWith(prefix))
            .toList();
    List<TopicPartition> partitions = new ArrayList<>();
    if (!topics.isEmpty()) {
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get(timeout, TimeUnit.MILLISECONDS)
          .forEach(
              (topic, description) ->
                  description
                      .partitions()
                      .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
    }
    return partitions;
  }

  private long endOffset(TopicPartition partition, IsolationLevel isolation)
      throws ExecutionException, InterruptedException, TimeoutException {
    return admin
        .listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(isolation))
        .partitionResult(partition)
        .get(timeoutMillis(target), TimeUnit.MILLISECONDS)
        .offset();
  }

  /**
   * {@code <topicPrefix>/<rule>}: a rule that publishes under another prefix (new topics) starts
   * afresh, as it would into a new cluster.
   */
  private byte[] checkpointKey() {
    return (settings.topicPrefix() + "/" + rule).getBytes(StandardCharsets.UTF_8);
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(
        KafkaClients.consumer(target), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Every committed record of the partitions, from the start to their end now. */
  private static void readAll(
      KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> partitions,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (!reached(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "reading "
                + partitions
                + " back made no progress for "
                + READ_TIMEOUT.toSeconds()
                + " s");
      }
      var records = consumer.poll(Duration.ofMillis(200));
      records.forEach(each);
      if (!records.isEmpty()) {
        deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      }
    }
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), READ_TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Map<TableName, Held> held(long from, long to) throws TargetException {
    Map<TableName, Held> held = new TreeMap<>();
    String prefix = settings.topicPrefix() + ".";
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer
          .listTopics(READ_TIMEOUT)
          .forEach(
              (topic, infos) -> {
                if (topic.startsWith(prefix)) {
                  infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                }
              });
      readAll(
          consumer,
          partitions,
          record -> {
            if (!rule.equals(header(record, RULE))
                || !RuleMessages.isChange(name -> header(record, name))) {
              return;
            }
            long position = JournalPosition.parse(header(record, POSITION));
            if (position < from || position > to) {
              return;
            }
            held.merge(
                Subjects.table(header(record, TABLE)),
                new Held(1, position),
                (a, b) -> new Held(a.messages() + 1, Math.max(a.lastPosition(), b.lastPosition())));
          });
      List<HangingTransactions.Hanging> hanging = List.of();
      try {
        hanging = HangingTransactions.find(admin, partitions, timeoutMillis(target));
      } catch (ExecutionException | TimeoutException e) {
        // the cluster does not tell: the counts verify compares speak for themselves
      }
      if (!hanging.isEmpty()) {
        throw hangingFailure(hanging);
      }
      return held;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted", e);
    } catch (KafkaException | IllegalStateException e) {
      throw failure("cannot read the topics " + prefix + "* back", e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void send(ChangeEvent change, String renamed) throws TargetException {
    for (StreamMessage message : messages.change(change, renamed, System.currentTimeMillis())) {
      publish(message);
    }
  }

  /**
   * Sends the transaction's END (with {@code transactions: true}) into the Kafka transaction that
   * holds its changes: a commit comes only between source transactions, so a {@code read_committed}
   * consumer sees a source transaction's BEGIN, changes and END together or not at all, and a new
   * connection starts with no transaction open.
   */
  @Override
  public void transactionEnd(ChangeEvent last) throws TargetException {
    for (StreamMessage message : messages.transactionEnd(last, System.currentTimeMillis())) {
      publish(message);
    }
  }

  private void publish(StreamMessage message) throws TargetException {
    throwSendFailure();
    String topic =
        message.kind() == StreamMessage.Kind.CHANGE
            ? Topics.of(settings.topicPrefix(), message.table(), message.renamed())
            : settings.topicPrefix() + "." + StreamSettings.TRANSACTION_TOKEN;
    if (knownTopics.add(topic)) {
      if (topic.length() > Topics.MAX_LENGTH) {
        knownTopics.remove(topic);
        throw new TargetException(
            "target "
                + target.name()
                + ": the topic of table "
                + message.table()
                + " would be "
                + topic.length()
                + " characters long, more than Kafka's "
                + Topics.MAX_LENGTH
                + " ("
                + topic.substring(0, 60)
                + "…); rename the table in the rule (rename:) or shorten topicPrefix",
            false,
            null);
      }
      try {
        ensureTopic(target, admin, topic, settings.partitions(), false);
      } catch (TargetException e) {
        knownTopics.remove(topic);
        throw e;
      }
    }
    RecordHeaders headers = new RecordHeaders();
    message
        .headers()
        .forEach(
            (name, value) -> {
              // the key is the record's own key on Kafka
              if (!name.equals(StreamMessage.KEY)) {
                headers.add(name, value.getBytes(StandardCharsets.UTF_8));
              }
            });
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, message.key(), message.value(), headers);
    try {
      begin();
      producer.send(
          record,
          (metadata, e) -> {
            if (e != null) {
              sendFailure.compareAndSet(null, e);
            }
          });
    } catch (KafkaException e) {
      throw failure("cannot send to " + topic, e);
    }
  }

  private void begin() {
    if (producer == null) {
      throw new IllegalStateException("target " + target.name() + " was opened to inspect only");
    }
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
    }
  }

  private void throwSendFailure() throws TargetException {
    Exception e = sendFailure.get();
    if (e != null) {
      throw failure("a send failed", e);
    }
  }

  @Override
  public void commit(Checkpoint checkpoint) throws TargetException {
    try {
      begin();
      producer.send(
          new ProducerRecord<>(
              CHECKPOINT_TOPIC,
              checkpointKey(),
              (checkpoint.position() + " " + checkpoint.lsn() + " " + checkpoint.commitTimeMicros())
                  .getBytes(StandardCharsets.UTF_8)));
      producer.commitTransaction();
      inTransaction = false;
    } catch (KafkaException e) {
      throw failure("cannot commit the transaction of rule " + rule, e);
    }
    throwSendFailure();
  }

  /** Retriable: the rule goes on by itself once an operator has aborted what hangs. */
  private TargetException hangingFailure(List<HangingTransactions.Hanging> hanging) {
    return new TargetException(
        "target "
            + target.name()
            + " ("
            + target.maskedUrl()
            + "): "
            + HangingTransactions.describe(hanging, KafkaClients.bootstrapServers(target.url())),
        true,
        null);
  }

  private TargetException failure(String what, Throwable cause) {
    return failure(target, what, cause);
  }

  /** Retriable, unless the cluster refused the credentials or the rights. */
  private static TargetException failure(TargetConfig target, String what, Throwable cause) {
    Throwable root =
        cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
    boolean permanent =
        root instanceof AuthenticationException
            || root instanceof AuthorizationException
            || root instanceof InvalidTopicException;
    return new TargetException(
        "target " + target.name() + " (" + target.maskedUrl() + "): " + what + ": " + root,
        !permanent,
        cause);
  }

  private static void closeQuietly(KafkaProducer<?, ?> producer, Admin admin) {
    try {
      if (producer != null) {
        producer.close(Duration.ZERO);
      }
    } catch (RuntimeException e) {
      // closing a failed producer
    }
    try {
      if (admin != null) {
        admin.close(Duration.ZERO);
      }
    } catch (RuntimeException e) {
      // closing a failed client
    }
  }

  /** Closes without committing: what is open is aborted, by the broker or the next connection. */
  @Override
  public void close() {
    closeQuietly(producer, admin);
  }
}
