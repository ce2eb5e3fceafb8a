package dev.sluice.apply.internal;

import dev.sluice.apply.TargetException;
import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;

/** Opens a target of any dialect. */
public final class Targets {
  private Targets() {}

  public static Target connect(TargetConfig config) throws TargetException {
    return config.dialect() == Dialect.MONGODB
        ? MongoTarget.connect(config)
        : SqlTarget.connect(config);
  }
}
