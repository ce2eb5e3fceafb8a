package dev.sluice.stream;

import dev.sluice.apply.StreamTarget;
import dev.sluice.apply.TargetException;
import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;
import dev.sluice.stream.internal.NatsTarget;

/** Opens {@code nats:} targets (found by {@link java.util.ServiceLoader}). */
public final class NatsStreams implements StreamTarget.Factory {
  @Override
  public boolean accepts(Dialect dialect) {
    return dialect == Dialect.NATS;
  }

  @Override
  public StreamTarget connect(TargetConfig target, String rule, String database)
      throws TargetException {
    return NatsTarget.connect(target, rule, database);
  }
}
