package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server on 127.0.0.1 that accepts every connection and never sends a byte: what a half-dead
 * host, a firewall that holds connections, or a wrong port behind a proxy looks like to a driver.
 * Connecting succeeds; every read waits forever. For tests of connect timeouts.
 *
 * <pre>{@code
 * try (SilentServer silent = SilentServer.start()) {
 *   String url = "jdbc:postgresql://127.0.0.1:" + silent.port() + "/app";
 * }
 * }</pre>
 */
public final class SilentServer implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private SilentServer(ServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::acceptForever, "silent-server-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on a free port of 127.0.0.1. */
  public static SilentServer start() {
    try {
      return new SilentServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** How many connections it has accepted so far. */
  public int accepted() {
    return accepted.size();
  }

  private void acceptForever() {
    while (!server.isClosed()) {
      try {
        accepted.add(server.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
      for (Socket socket : accepted) {
        socket.close();
      }
      acceptor.join(5_000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
