package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 that forwards every connection to a port of this machine, and can cut:
 * {@link #cut()} closes every live connection and refuses new ones (nothing listens on its port)
 * until {@link #restore()}. For tests: a target whose network goes away and comes back.
 *
 * <p>Thread-safe; a thread per direction of each connection (daemon threads).
 */
final class CuttableProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private volatile long connections;

  private CuttableProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  /** A proxy to {@code 127.0.0.1:targetPort}, accepting connections. */
  static CuttableProxy to(int targetPort) throws IOException {
    return new CuttableProxy(targetPort);
  }

  /** The port clients connect to; the same after a {@link #restore()}. */
  int port() {
    return port;
  }

  /** Connections accepted since start. */
  long connections() {
    return connections;
  }

  /** Drops every live connection and stops listening. */
  synchronized void cut() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }

  /** Listens again on the same port. */
  synchronized void restore() throws IOException {
    server = listen(port);
    accept(server);
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return socket;
  }

  private void accept(ServerSocket listening) {
    daemon(
        () -> {
          while (!listening.isClosed()) {
            try {
              Socket client = listening.accept();
              Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
              sockets.add(client);
              sockets.add(upstream);
              connections++;
              daemon(() -> pump(client, upstream));
              daemon(() -> pump(upstream, client));
            } catch (IOException e) {
              // closed by cut() or close(), or the target refused: the client sees its socket end
            }
          }
        });
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: the finally below closes the other
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static void daemon(Runnable task) {
    Thread thread = new Thread(task, "proxy");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}
