package dev.sluice.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real NATS server with JetStream (Debian's {@code /usr/sbin/nats-server}) of a test's own, on a
 * free loopback port, with its store in a temporary directory kept across {@link #stop} and {@link
 * #start}: a test can take the broker away and bring it back with what it stored.
 */
public final class NatsServer implements AutoCloseable {
  /** The machine's shared server, which {@code .ci/run} starts. */
  public static final String SHARED_URL = "nats://127.0.0.1:4222";

  private static final String BINARY = "/usr/sbin/nats-server";

  private final Path dir;
  private final int port;
  private final String config;
  private Process process;

  private NatsServer(Path dir, int port, String config) {
    this.dir = dir;
    this.port = port;
    this.config = config;
  }

  /** Whether the server binary is on this machine (tests that start their own skip without). */
  public static boolean available() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /** Starts a server on a free port. */
  public static NatsServer start() throws IOException, InterruptedException {
    return start((String) null);
  }

  /**
   * Starts a server on a free port with more of its configuration file ({@code authorization { ...
   * }}, {@code tls { ... }}), or none when null.
   */
  public static NatsServer start(String config) throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    NatsServer server = new NatsServer(Files.createTempDirectory("sluice-nats"), port, config);
    server.start(Duration.ofSeconds(20));
    return server;
  }

  /** The directory of the server's store and log, which the test may put files in. */
  public Path dir() {
    return dir;
  }

  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Starts the server again (after {@link #stop}) with its store as it was. */
  public synchronized void start(Duration timeout) throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    java.util.List<String> command =
        new java.util.ArrayList<>(
            java.util.List.of(
                BINARY,
                "-a",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-js",
                "-sd",
                dir.resolve("store").toString()));
    if (config != null) {
      Path file = dir.resolve("server.conf");
      Files.writeString(file, config);
      command.add("-c");
      command.add(file.toString());
    }
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    Instant deadline = Instant.now().plus(timeout);
    while (!accepts()) {
      if (!process.isAlive() || Instant.now().isAfter(deadline)) {
        throw new IOException(
            "nats-server did not start on port " + port + ":\n" + Files.readString(log()));
      }
      Thread.sleep(50);
    }
    Thread.sleep(200); // JetStream is ready a moment after the port
  }

  public Path log() {
    return dir.resolve("server.log");
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the server at once (SIGKILL); its store stays. */
  public synchronized void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
