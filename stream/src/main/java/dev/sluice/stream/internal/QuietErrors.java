package dev.sluice.stream.internal;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The NATS client's asynchronous errors, in the log instead of on standard error. */
final class QuietErrors implements ErrorListener {
  private static final Logger LOG = LoggerFactory.getLogger(NatsTarget.class);

  @Override
  public void errorOccurred(Connection connection, String error) {
    LOG.warn("NATS: {}", error);
  }

  @Override
  public void exceptionOccurred(Connection connection, Exception exception) {
    LOG.debug("NATS: {}", exception.toString());
  }
}
