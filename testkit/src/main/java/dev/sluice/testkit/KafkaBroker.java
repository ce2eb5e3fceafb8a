package dev.sluice.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kafka broker of a test's own: one KRaft node that is broker and controller at once, on
 * free loopback ports, in a child JVM (so that a test can stop, kill and start it again with what
 * it stored), and on demand a second, broker-only node in its cluster. The child runs {@code
 * kafka.Kafka} from the calling JVM's class path, which must hold {@code
 * org.apache.kafka:kafka_2.13} (a test dependency). Its log directories and log are under the
 * directory given; topics are never created automatically.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int nodeId;
  private final int port;
  private final int controllerPort;
  private final String classPath;
  private final String clusterId;
  private Process process;
  private long logFrom;

  /**
   * @param controllerPort the controller's port: this node's own when it is node 1 (broker and
   *     controller), node 1's for a broker that joins it
   */
  private KafkaBroker(
      Path dir, int nodeId, int port, int controllerPort, String classPath, String clusterId) {
    this.dir = dir;
    this.nodeId = nodeId;
    this.port = port;
    this.controllerPort = controllerPort;
    this.classPath = classPath;
    this.clusterId = clusterId;
  }

  /**
   * Formats a new log directory under {@code parent} and starts a broker on free ports.
   *
   * @param parent where the broker's directory goes (e.g. the module's {@code target})
   */
  public static KafkaBroker start(Path parent) throws IOException, InterruptedException {
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "kafka-");
    UUID uuid = UUID.randomUUID();
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    KafkaBroker broker =
        new KafkaBroker(
            dir, 1, freePort(), freePort(), System.getProperty("java.class.path"), clusterId);
    broker.format();
    broker.start();
    return broker;
  }

  /**
   * Starts a second broker (node 2, a broker only) in this one's cluster, with its own directory
   * beside this one's: for tests that take one broker of two away.
   */
  public KafkaBroker startSecond() throws IOException, InterruptedException {
    Path second = Files.createTempDirectory(dir.getParent(), "kafka-");
    KafkaBroker broker =
        new KafkaBroker(second, 2, freePort(), controllerPort, classPath, clusterId);
    broker.format();
    broker.start();
    return broker;
  }

  /** The broker's node id: 1, or 2 for a {@link #startSecond second} broker. */
  public int nodeId() {
    return nodeId;
  }

  /**
   * A free loopback port below the kernel's ephemeral range (32768 and up on Linux). A port from
   * that range can be taken while the broker is stopped: a client retrying a connection to it may
   * be given the same port as its own source port and connect to itself (TCP simultaneous open),
   * and the broker cannot listen there again.
   */
  private static int freePort() throws IOException {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      try (ServerSocket socket =
          new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // another one
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }

  /** {@code 127.0.0.1:<port>}, the bootstrap server. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The target URL, {@code kafka://127.0.0.1:<port>}. */
  public String url() {
    return "kafka://" + bootstrapServers();
  }

  public Path log() {
    return dir.resolve("broker.log");
  }

  private Path properties() throws IOException {
    Path file = dir.resolve("server.properties");
    if (!Files.exists(file)) {
      Files.writeString(
          file,
          String.join(
              "\n",
              nodeId == 1 ? "process.roles=broker,controller" : "process.roles=broker",
              "node.id=" + nodeId,
              "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
              nodeId == 1
                  ? "listeners=PLAINTEXT://127.0.0.1:"
                      + port
                      + ",CONTROLLER://127.0.0.1:"
                      + controllerPort
                  : "listeners=PLAINTEXT://127.0.0.1:" + port,
              "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
              "controller.listener.names=CONTROLLER",
              "inter.broker.listener.name=PLAINTEXT",
              "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
              "log.dirs=" + dir.resolve("data"),
              "num.partitions=1",
              "auto.create.topics.enable=false",
              "offsets.topic.replication.factor=1",
              "offsets.topic.num.partitions=1",
              "transaction.state.log.replication.factor=1",
              "transaction.state.log.min.isr=1",
              "transaction.state.log.num.partitions=1",
              "share.coordinator.state.topic.replication.factor=1",
              "share.coordinator.state.topic.min.isr=1",
              "group.initial.rebalance.delay.ms=0",
              "log.cleaner.dedupe.buffer.size=2097152",
              ""));
    }
    return file;
  }

  private void format() throws IOException, InterruptedException {
    Process format =
        java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", properties().toString())
            .redirectOutput(dir.resolve("format.log").toFile())
            .start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IOException(
          "kafka storage format failed:\n" + Files.readString(dir.resolve("format.log")));
    }
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms64m");
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    command.add("-Dlogback.configurationFile=" + logback());
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  /**
   * The broker logs at INFO into its own file, whatever the test's logging: its transaction
   * coordinator's lines are what names a hanging transaction's cause.
   */
  private Path logback() {
    Path file = dir.resolve("logback.xml");
    try {
      if (!Files.exists(file)) {
        Files.writeString(
            file,
            """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n</pattern></encoder>
              </appender>
              <logger name="kafka" level="INFO"/>
              <logger name="org.apache.kafka" level="INFO"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }

  /** Starts the broker (again, after {@link #stop}) with what it stored. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    logFrom = Files.exists(log()) ? Files.size(log()) : 0;
    process =
        java("kafka.Kafka", properties().toString())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
            .start();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (!started()) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        process.destroyForcibly();
        throw new IOException(
            "the Kafka broker did not start on port " + port + ":\n" + Files.readString(log()));
      }
      Thread.sleep(100);
    }
  }

  private boolean started() throws IOException {
    String log = Files.readString(log());
    if (!log.substring((int) Math.min(logFrom, log.length())).contains("Kafka Server started")) {
      return false;
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Stops the broker as an operator does (SIGTERM: a controlled shutdown; SIGKILL after 60 s); what
   * it stored stays.
   */
  public synchronized void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
      process = null;
    }
  }

  /** Kills the broker (SIGKILL: a crash, or the machine gone); what it stored stays. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      process = null;
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    // the broker's log outlives its data, for a failed test's report
    Files.copy(
        log(),
        dir.resolveSibling(dir.getFileName() + ".log"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
