package dev.sluice.apply.internal;

import dev.sluice.apply.StreamTarget;
import dev.sluice.apply.TargetException;
import dev.sluice.config.TargetConfig;
import java.util.ServiceLoader;

/** Opens a stream target through the {@link StreamTarget.Factory} on the class path. */
public final class StreamTargets {
  private StreamTargets() {}

  /**
   * @param database the source database's name, for the messages' {@code source.db}
   */
  public static StreamTarget connect(TargetConfig target, String rule, String database)
      throws TargetException {
    return factory(target).connect(target, rule, database);
  }

  /**
   * Opens the target to read back what a rule published: see {@link StreamTarget.Factory#inspect}.
   */
  public static StreamTarget inspect(TargetConfig target, String rule, String database)
      throws TargetException {
    return factory(target).inspect(target, rule, database);
  }

  private static StreamTarget.Factory factory(TargetConfig target) throws TargetException {
    for (StreamTarget.Factory factory : ServiceLoader.load(StreamTarget.Factory.class)) {
      if (factory.accepts(target.dialect())) {
        return factory;
      }
    }
    throw new TargetException(
        "target "
            + target.name()
            + ": no "
            + target.dialect().yamlName()
            + " support is installed (module sluice-stream is not on the class path)",
        false,
        null);
  }
}
