package dev.sluice.bench;

import dev.sluice.apply.ApplyEngine;
import dev.sluice.capture.Capture;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One Sluice side in this JVM: the journal, capture into it, and the configuration's rules applied
 * from it, wired as {@code sluice run} wires them (cli's {@code Sidecar}, less the monitor and
 * retention, which a run of a few minutes does not use).
 *
 * <p>Not thread-safe; {@link #close()} stops capture first, then the rules, then the journal.
 */
public final class SluicePipeline implements AutoCloseable {
  private final SluiceConfig config;
  private final Journal journal;
  private final Capture capture;
  private final ApplyEngine rules;

  private SluicePipeline(SluiceConfig config, Journal journal, Capture capture, ApplyEngine rules) {
    this.config = config;
    this.journal = journal;
    this.capture = capture;
    this.rules = rules;
  }

  /** Writes the YAML as {@code sluice.yaml} beside the journal and loads it. */
  public static SluiceConfig load(SluiceYaml yaml) throws IOException {
    Path file = yaml.journalDir().resolveSibling("sluice.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml.text());
    return new ConfigLoader(Map.of()).load(file);
  }

  /** Opens the journal, starts capture (returns once the engine reads the slot), then the rules. */
  public static SluicePipeline start(SluiceConfig config) {
    Journal journal = Journal.open(config.journal());
    Capture capture;
    try {
      capture = Capture.start(config.source(), Capture.Options.of(journal));
    } catch (RuntimeException e) {
      journal.close();
      throw e;
    }
    ApplyEngine rules =
        ApplyEngine.start(config, journal, () -> capture.status().lastLsn(), event -> {});
    return new SluicePipeline(config, journal, capture, rules);
  }

  public SluiceConfig config() {
    return config;
  }

  public Journal journal() {
    return journal;
  }

  /** Changes journaled since start. */
  public long captured() {
    failIfCaptureFailed();
    return capture.status().events();
  }

  /** Throws capture's failure, if it failed. */
  public void failIfCaptureFailed() {
    if (capture.completion().isCompletedExceptionally()) {
      capture.completion().join();
    }
  }

  @Override
  public void close() {
    try {
      capture.close();
    } finally {
      try {
        rules.close();
      } finally {
        journal.close();
      }
    }
  }
}
