package dev.sluice.apply.internal;

import dev.sluice.apply.TargetException;
import dev.sluice.config.Dialect;
import dev.sluice.config.TargetConfig;

/** Opens a target of any dialect. */
public final class Targets {
  private Targets() {}

  public static Target connect(TargetConfig config) throws TargetException {
    if (config.dialect().isStream()) {
      throw new TargetException(
          "target "
              + config.name()
              + " is a "
              + config.dialect().yamlName()
              + " stream, not a database: it has no tables to write or read here",
          false,
          null);
    }
    return config.dialect() == Dialect.MONGODB
        ? MongoTarget.connect(config)
        : SqlTarget.connect(config);
  }
}
