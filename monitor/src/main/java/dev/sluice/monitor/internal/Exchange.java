package dev.sluice.monitor.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its response, as the endpoints use them (the server's own types stay here). Not
 * thread-safe: one per request, used by the thread that handles it. Exactly one of {@link #send}
 * (which completes the exchange) or {@link #stream} (then {@link #endStream}) answers it.
 */
final class Exchange {
  private final Request request;
  private final Response response;
  private final Callback callback;
  private boolean answered;

  Exchange(Request request, Response response, Callback callback) {
    this.request = request;
    this.response = response;
    this.callback = callback;
  }

  String method() {
    return request.getMethod();
  }

  /** The path as the client sent it, still percent-encoded. */
  String rawPath() {
    return request.getHttpURI().getPath();
  }

  /** The query as the client sent it, still percent-encoded, or null. */
  String rawQuery() {
    return request.getHttpURI().getQuery();
  }

  /** The first value of a request header, or null. */
  String header(String name) {
    return request.getHeaders().get(name);
  }

  void setHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  /** At most {@code max + 1} bytes of the request body (so a caller can tell it is longer). */
  byte[] body(int max) throws IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      return in.readNBytes(max + 1);
    }
  }

  /** Answers with a whole body; the request completes when it is written. */
  void send(int status, String contentType, byte[] body) {
    answered = true;
    response.setStatus(status);
    setHeader("Content-Type", contentType);
    response.getHeaders().put("Content-Length", Integer.toString(body.length));
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /**
   * Answers with a body written over time: the headers go at the first flush. The caller writes,
   * then calls {@link #endStream}. A write blocks while the client does not read, and fails when it
   * has made no progress for the connection's idle timeout.
   */
  OutputStream stream(int status, String contentType) {
    answered = true;
    response.setStatus(status);
    setHeader("Content-Type", contentType);
    // between events no I/O is pending: that is not a stalled client, keep the stream open
    request.addIdleTimeoutListener(timeout -> false);
    return Content.Sink.asOutputStream(response);
  }

  /** Ends a streamed answer: normally when {@code failure} is null. */
  void endStream(Throwable failure) {
    if (failure == null) {
      callback.succeeded();
    } else {
      callback.failed(failure);
    }
  }

  /** Whether an answer has begun (its status can no longer change). */
  boolean answered() {
    return answered;
  }
}
