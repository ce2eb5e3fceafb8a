package dev.sluice.stream;

import dev.sluice.apply.StreamTarget;
import dev.sluice.apply.TargetException;
import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;
import dev.sluice.stream.internal.KafkaTarget;

/** Opens {@code kafka:} targets (found by {@link java.util.ServiceLoader}). */
public final class KafkaStreams implements StreamTarget.Factory {
  @Override
  public boolean accepts(Dialect dialect) {
    return dialect == Dialect.KAFKA;
  }

  @Override
  public StreamTarget connect(TargetConfig target, String rule, String database)
      throws TargetException {
    return KafkaTarget.connect(target, rule, database);
  }

  @Override
  public StreamTarget inspect(TargetConfig target, String rule, String database)
      throws TargetException {
    return KafkaTarget.inspect(target, rule, database);
  }
}
