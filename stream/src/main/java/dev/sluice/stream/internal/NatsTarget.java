package dev.sluice.stream.internal;

import dev.sluice.apply.Checkpoint;
import dev.sluice.apply.StreamTarget;
import dev.sluice.apply.TargetException;
import dev.sluice.config.StreamAuth;
import dev.sluice.config.StreamSettings;
import dev.sluice.config.TableName;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.JournalPosition;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A rule's JetStream publisher.
 *
 * <ul>
 *   <li>Each change is one message on its table's subject, with {@code Nats-Msg-Id} {@code
 *       <rule>:<journal position>} (the server drops a re-send within the stream's duplicate
 *       window) and the headers {@code sluice.position}, {@code sluice.rule}, {@code sluice.key}
 *       (the primary key as JSON, ASCII), {@code sluice.table} (the source table, its schema and
 *       name as in subjects) and {@code sluice.commit} (commit time, microseconds). Bodies, ids and
 *       headers come from {@link RuleMessages} in the target's {@link ChangeFormat}; transaction
 *       BEGIN and END messages, when on, go to {@code <prefix>.transaction}.
 *   <li>Publishes are pipelined on one connection that never reconnects by itself: the server
 *       stores them in the order sent, so what it holds is a prefix of what was sent. A failed or
 *       unacknowledged publish fails the connection; the next one starts from what the stream
 *       holds.
 *   <li>After every commit the checkpoint (journal position, the stream sequence of the rule's last
 *       acknowledged message and the stream's creation time) goes to the key-value bucket {@code
 *       sluice-checkpoints}, key {@code <stream>.<rule>}. The checkpoint a new connection starts
 *       from is the position of the rule's last message in the stream after that sequence, or the
 *       bucket's when there is none: correct however long ago the last connection died.
 * </ul>
 *
 * <p>Used by one thread.
 */
public final class NatsTarget implements StreamTarget {
  static final String BUCKET = "sluice-checkpoints";
  static final String POSITION = StreamMessage.POSITION;
  static final String RULE = StreamMessage.RULE;
  static final String COMMIT = StreamMessage.COMMIT;
  static final String TABLE = StreamMessage.TABLE;
  private static final int MAX_IN_FLIGHT = 4096;
  private static final Duration ACK_WAIT = Duration.ofSeconds(10);

  private final TargetConfig target;
  private final String rule;
  private final StreamSettings settings;
  private final Connection connection;
  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final KeyValue checkpoints;
  private final RuleMessages messages;
  private final Deque<CompletableFuture<PublishAck>> inFlight = new ArrayDeque<>();
  private long lastAckedSequence;

  /** The stream's creation time, which tells a stream from a later one of the same name. */
  private String created = "";

  private NatsTarget(TargetConfig target, String rule, String database, Connection connection)
      throws IOException, JetStreamApiException {
    this.target = target;
    this.rule = rule;
    this.settings = target.stream();
    this.connection = connection;
    this.jetStream = connection.jetStream();
    this.management = connection.jetStreamManagement();
    this.messages =
        new RuleMessages(
            rule,
            ChangeFormat.of(settings.format(), settings.subjectPrefix(), database),
            settings.transactions());
    this.checkpoints = connection.keyValue(BUCKET);
  }

  /** Connects, creating the stream and the checkpoint bucket when missing. */
  public static NatsTarget connect(TargetConfig target, String rule, String database)
      throws TargetException {
    Options.Builder options =
        Options.builder()
            .server(target.url())
            .connectionName("sluice-" + rule)
            .connectionTimeout(Duration.ofSeconds(5))
            .noReconnect()
            .reconnectBufferSize(0)
            .errorListener(new QuietErrors());
    if (target.user() != null) {
      options.userInfo(target.user(), target.password() == null ? "" : target.password().reveal());
    }
    StreamAuth auth = target.stream().auth();
    if (auth.token() != null) {
      options.token(auth.token().reveal().toCharArray());
    }
    if (auth.credentials() != null) {
      if (!java.nio.file.Files.isReadable(auth.credentials())) {
        throw new TargetException(
            "target " + target.name() + ": credentials " + auth.credentials() + " cannot be read",
            false,
            null);
      }
      options.authHandler(Nats.credentials(auth.credentials().toString()));
    }
    if (auth.nkey() != null) {
      options.authHandler(Nats.staticCredentials(null, auth.nkey().reveal().toCharArray()));
    }
    if (auth.tls()) {
      try {
        options.sslContext(PemTls.context(auth.tlsCa(), auth.tlsCert(), auth.tlsKey()));
      } catch (IllegalArgumentException e) {
        throw new TargetException("target " + target.name() + ": " + e.getMessage(), false, e);
      }
    }
    Connection connection;
    try {
      connection = Nats.connect(options.build());
    } catch (IOException e) {
      throw new TargetException(
          "target " + target.name() + ": cannot connect to " + target.maskedUrl() + ": " + e,
          !isAuthorization(e),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TargetException("interrupted while connecting", true, e);
    }
    try {
      ensureStream(target, connection.jetStreamManagement());
      ensureBucket(connection);
      return new NatsTarget(target, rule, database, connection);
    } catch (TargetException e) {
      closeQuietly(connection);
      throw e;
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      closeQuietly(connection);
      throw failure(target, "cannot use JetStream", e);
    }
  }

  private static boolean isAuthorization(IOException e) {
    String text = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return text.contains("authorization") || text.contains("authentication");
  }

  private static void ensureStream(TargetConfig target, JetStreamManagement management)
      throws IOException, TargetException {
    StreamSettings settings = target.stream();
    String subjects = settings.subjectPrefix() + ".>";
    try {
      StreamInfo info = management.getStreamInfo(settings.name());
      List<String> existing = info.getConfiguration().getSubjects();
      if (!existing.contains(subjects) && !existing.contains(">")) {
        throw new TargetException(
            "target "
                + target.name()
                + ": stream "
                + settings.name()
                + " exists with the subjects "
                + existing
                + ", which do not include "
                + subjects
                + "; add it to the stream or set subjectPrefix",
            false,
            null);
      }
      return;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10059) { // stream not found
        throw new TargetException(
            "target " + target.name() + ": stream " + settings.name() + ": " + e.getMessage(),
            false,
            e);
      }
    }
    try {
      management.addStream(
          StreamConfiguration.builder()
              .name(settings.name())
              .subjects(subjects)
              .storageType(StorageType.File)
              .build());
    } catch (JetStreamApiException e) {
      throw new TargetException(
          "target "
              + target.name()
              + ": cannot create stream "
              + settings.name()
              + " with the subjects "
              + subjects
              + ": "
              + e.getErrorDescription()
              + " (JetStream error "
              + e.getApiErrorCode()
              + ")",
          false,
          e);
    }
  }

  private static void ensureBucket(Connection connection)
      throws IOException, JetStreamApiException {
    var management = connection.keyValueManagement();
    if (!management.getBucketNames().contains(BUCKET)) {
      try {
        management.create(
            KeyValueConfiguration.builder()
                .name(BUCKET)
                .maxHistoryPerKey(1)
                .storageType(StorageType.File)
                .build());
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != 10058) { // made meanwhile by another rule
          throw e;
        }
      }
    }
  }

  private String checkpointKey() {
    return settings.name() + "." + Subjects.token(rule);
  }

  @Override
  public Optional<Checkpoint> checkpoint() throws TargetException {
    try {
      KeyValueEntry entry = checkpoints.get(checkpointKey());
      StreamInfo info = management.getStreamInfo(settings.name());
      created = info.getCreateTime().toInstant().toString();
      String[] parts =
          entry == null || entry.getValue() == null
              ? null
              : new String(entry.getValue(), StandardCharsets.UTF_8).split(" ");
      Checkpoint stored = null;
      long fromSequence;
      if (parts == null || parts.length != 5 || !parts[4].equals(created)) {
        // a rule that never committed into this stream (or into one of the same name that was
        // deleted): nothing of it is older than the stream's end now
        fromSequence = info.getStreamState().getLastSequence();
        put(JournalPosition.NONE, 0, 0, fromSequence);
      } else {
        long position = Long.parseLong(parts[0]);
        stored =
            position == JournalPosition.NONE
                ? null
                : new Checkpoint(position, Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        fromSequence = Long.parseLong(parts[3]);
      }
      lastAckedSequence = fromSequence;
      Checkpoint latest = latestAfter(fromSequence, stored);
      for (StreamMessage owed : messages.recovered(System.currentTimeMillis())) {
        publish(owed);
        await(inFlight.removeFirst());
      }
      return Optional.ofNullable(latest);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw failure("cannot read the checkpoint of rule " + rule, e);
    }
  }

  /** The rule's last message after {@code sequence}, as a checkpoint, else {@code stored}. */
  private Checkpoint latestAfter(long sequence, Checkpoint stored)
      throws IOException, JetStreamApiException {
    Checkpoint latest = stored;
    String filter = settings.subjectPrefix() + ".>";
    long next = sequence + 1;
    while (true) {
      MessageInfo message;
      try {
        message = management.getNextMessage(settings.name(), next, filter);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == 10037) { // no message
          return latest;
        }
        throw e;
      }
      Headers headers = message.getHeaders();
      if (headers != null && rule.equals(headers.getFirst(RULE))) {
        messages.stored(headers::getFirst);
        lastAckedSequence = message.getSeq();
      }
      if (headers != null
          && rule.equals(headers.getFirst(RULE))
          && RuleMessages.advancesCheckpoint(headers::getFirst)) {
        long position = JournalPosition.parse(headers.getFirst(POSITION));
        String commit = headers.getFirst(COMMIT);
        latest =
            new Checkpoint(
                position,
                latest == null ? 0 : latest.lsn(),
                commit == null ? 0 : Long.parseLong(commit));
      }
      next = message.getSeq() + 1;
    }
  }

  @Override
  public Map<TableName, Held> held(long from, long to) throws TargetException {
    Map<TableName, Held> held = new TreeMap<>();
    String filter = settings.subjectPrefix() + ".>";
    long next = 1;
    try {
      while (true) {
        MessageInfo message;
        try {
          message = management.getNextMessage(settings.name(), next, filter);
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() == 10037) { // no message
            return held;
          }
          throw e;
        }
        next = message.getSeq() + 1;
        Headers headers = message.getHeaders();
        if (headers == null
            || !rule.equals(headers.getFirst(RULE))
            || !RuleMessages.isChange(headers::getFirst)) {
          continue;
        }
        long position = JournalPosition.parse(headers.getFirst(POSITION));
        if (position < from || position > to) {
          continue;
        }
        held.merge(
            Subjects.table(headers.getFirst(TABLE)),
            new Held(1, position),
            (a, b) -> new Held(a.messages() + 1, Math.max(a.lastPosition(), b.lastPosition())));
      }
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw failure("cannot read stream " + settings.name() + " back", e);
    }
  }

  @Override
  public void send(ChangeEvent change, String renamed) throws TargetException {
    for (StreamMessage message : messages.change(change, renamed, System.currentTimeMillis())) {
      publish(message);
    }
  }

  @Override
  public void transactionEnd(ChangeEvent last) throws TargetException {
    for (StreamMessage message : messages.transactionEnd(last, System.currentTimeMillis())) {
      publish(message);
    }
  }

  private void publish(StreamMessage message) throws TargetException {
    while (inFlight.size() >= MAX_IN_FLIGHT) {
      await(inFlight.removeFirst());
    }
    String subject =
        message.kind() == StreamMessage.Kind.CHANGE
            ? Subjects.of(settings.subjectPrefix(), message.table(), message.renamed())
            : settings.subjectPrefix() + "." + StreamSettings.TRANSACTION_TOKEN;
    Headers headers = new Headers();
    message.headers().forEach(headers::put);
    try {
      inFlight.addLast(
          jetStream.publishAsync(
              subject,
              headers,
              message.value(),
              PublishOptions.builder()
                  .messageId(message.id())
                  .expectedStream(settings.name())
                  .build()));
    } catch (RuntimeException e) {
      throw failure("cannot publish to " + subject, e);
    }
  }

  @Override
  public void commit(Checkpoint checkpoint) throws TargetException {
    while (!inFlight.isEmpty()) {
      await(inFlight.removeFirst());
    }
    try {
      long sequence =
          lastAckedSequence == 0
              ? management.getStreamInfo(settings.name()).getStreamState().getLastSequence()
              : lastAckedSequence;
      put(checkpoint.position(), checkpoint.lsn(), checkpoint.commitTimeMicros(), sequence);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      throw failure("cannot store the checkpoint of rule " + rule, e);
    }
  }

  private void put(long position, long lsn, long commitMicros, long sequence)
      throws IOException, JetStreamApiException {
    checkpoints.put(
        checkpointKey(),
        (position + " " + lsn + " " + commitMicros + " " + sequence + " " + created)
            .getBytes(StandardCharsets.UTF_8));
  }

  private void await(CompletableFuture<PublishAck> publish) throws TargetException {
    try {
      PublishAck ack = publish.get(ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      lastAckedSequence = Math.max(lastAckedSequence, ack.getSeqno());
    } catch (ExecutionException e) {
      throw failure("a publish failed", e.getCause());
    } catch (TimeoutException e) {
      throw failure("no acknowledgement within " + ACK_WAIT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure("interrupted", e);
    }
  }

  /** A failure of the broker or the connection: retriable, unless the server refused for good. */
  private TargetException failure(String what, Throwable cause) {
    return failure(target, what, cause);
  }

  private static TargetException failure(TargetConfig target, String what, Throwable cause) {
    String detail =
        cause instanceof JetStreamApiException api
            ? api.getErrorDescription() + " (JetStream error " + api.getApiErrorCode() + ")"
            : String.valueOf(cause);
    return new TargetException(
        "target " + target.name() + " (" + target.maskedUrl() + "): " + what + ": " + detail,
        true,
        cause);
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // closing a failed connection
    }
  }

  @Override
  public void close() {
    inFlight.clear();
    closeQuietly(connection);
  }
}
