package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -c FILE} option shared by the commands that read a configuration. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The configuration file (sluice.yaml).")
  Path file;

  /**
   * Loads and validates the file.
   *
   * @throws dev.sluice.config.ConfigException listing every problem
   */
  SluiceConfig load() {
    return load(file);
  }

  static SluiceConfig load(Path file) {
    return ConfigLoader.withSystemEnvironment().load(file);
  }
}
