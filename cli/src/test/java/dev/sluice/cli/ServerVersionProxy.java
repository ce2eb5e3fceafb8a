package dev.sluice.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a real PostgreSQL server that changes one thing: the {@code
 * server_version} the server reports when a connection starts (its {@code ParameterStatus}
 * message). Everything else (authentication, queries, results) passes through unchanged. For tests:
 * a client sees an older server than the one that answers, e.g. a PostgreSQL 12 that no embedded
 * bundle can run any more.
 *
 * <p>Speaks just enough of the protocol: the optional SSL or GSS encryption requests (answered by
 * the server with one byte; the test servers refuse both), the startup message, then the server's
 * messages until the first {@code ReadyForQuery}.
 *
 * <p>Thread-safe; a thread per direction of each connection (daemon threads).
 */
final class ServerVersionProxy implements AutoCloseable {
  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;

  private final int targetPort;
  private final String reportedVersion;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  /**
   * A proxy to {@code 127.0.0.1:targetPort} whose server reports {@code reportedVersion} (e.g.
   * {@code 12.22}).
   */
  ServerVersionProxy(int targetPort, String reportedVersion) throws IOException {
    this.targetPort = targetPort;
    this.reportedVersion = reportedVersion;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    daemon(this::accept);
  }

  /** The port clients connect to. */
  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(upstream);
        daemon(() -> relay(client, upstream));
      } catch (IOException e) {
        // closed by close(), or the server refused: the client sees its socket end
      }
    }
  }

  private void relay(Socket client, Socket upstream) {
    try {
      DataInputStream fromClient = new DataInputStream(client.getInputStream());
      DataOutputStream toServer = new DataOutputStream(upstream.getOutputStream());
      DataInputStream fromServer = new DataInputStream(upstream.getInputStream());
      DataOutputStream toClient = new DataOutputStream(client.getOutputStream());
      while (true) {
        int length = fromClient.readInt();
        int code = fromClient.readInt();
        byte[] rest = new byte[length - 8];
        fromClient.readFully(rest);
        toServer.writeInt(length);
        toServer.writeInt(code);
        toServer.write(rest);
        toServer.flush();
        if (code != SSL_REQUEST && code != GSSENC_REQUEST) {
          break; // the startup message
        }
        int answer = fromServer.read();
        if (answer != 'N') {
          throw new IOException("the server accepted encryption; this proxy cannot read it");
        }
        toClient.write(answer);
        toClient.flush();
      }
      daemon(() -> pump(client, upstream));
      rewriteStartup(fromServer, toClient);
      pump(upstream, client);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /** Copies the server's messages up to the first ReadyForQuery, changing server_version. */
  private void rewriteStartup(DataInputStream in, DataOutputStream out) throws IOException {
    while (true) {
      int type = in.readUnsignedByte();
      int length = in.readInt();
      byte[] body = new byte[length - 4];
      in.readFully(body);
      if (type == 'S' && parameter(body).equals("server_version")) {
        body = ("server_version\0" + reportedVersion + "\0").getBytes(StandardCharsets.UTF_8);
      }
      out.writeByte(type);
      out.writeInt(body.length + 4);
      out.write(body);
      if (type == 'Z') {
        out.flush();
        return;
      }
    }
  }

  private static String parameter(byte[] body) {
    int end = 0;
    while (end < body.length && body[end] != 0) {
      end++;
    }
    return new String(body, 0, end, StandardCharsets.UTF_8);
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: the finally below closes the other
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static void daemon(Runnable task) {
    Thread thread = new Thread(task, "version-proxy");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }
}
