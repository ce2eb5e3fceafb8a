package dev.sluice.apply;

import static org.assertj.core.api.Assertions.fail;

import dev.sluice.capture.Capture;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.Journal;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A source database of its own with capture into a journal and the configuration's rules applied:
 * the real pipeline, for one test. The YAML may use {@code ${SOURCE_URL}} and {@code ${DIR}}.
 *
 * <p>Every source database has a table {@code flush_mark}; {@link #flush} commits a row there and
 * waits until a rule's target has it: by then, every transaction committed before is applied.
 */
public final class Pipeline implements AutoCloseable {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  public final PostgresCluster source;
  public final String database;
  public final Path dir;
  public final List<ApplyEvent> events = Collections.synchronizedList(new ArrayList<>());
  public SluiceConfig config;
  public Journal journal;
  public Capture capture;
  public ApplyEngine engine;
  private int flushes;

  /** Whether {@link #await} gives up as soon as a rule has failed (else it waits it out). */
  public boolean failFast = true;

  public Pipeline(PostgresCluster source) throws Exception {
    this.source = source;
    this.database = "p" + COUNTER.incrementAndGet();
    this.dir = Files.createTempDirectory("sluice-pipeline");
    source.execute("CREATE DATABASE " + database);
    sql("CREATE TABLE flush_mark(id int PRIMARY KEY)");
  }

  public void sql(String... statements) {
    source.executeIn(database, statements);
  }

  /**
   * Loads the configuration (with {@code ${SOURCE_URL}}, {@code ${DIR}} and {@code extra} values).
   */
  public Pipeline configure(String yaml, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("SOURCE_URL", source.jdbcUrl(database));
    env.put("SLOT", "slot_" + database);
    env.put("DIR", dir.toString());
    config = new ConfigLoader(env).parse(yaml, "test.yaml", dir, null);
    return this;
  }

  public Pipeline configure(String yaml) {
    return configure(yaml, Map.of());
  }

  /** Starts capture and the rules. */
  public Pipeline start() {
    journal = Journal.open(config.journal());
    capture =
        Capture.start(
            config.source(),
            Capture.Options.of(journal).withStatusInterval(Duration.ofMillis(200)));
    startRules();
    return this;
  }

  public void startRules() {
    engine = ApplyEngine.start(config, journal, () -> capture.status().lastLsn(), events::add);
  }

  public void stopRules() {
    engine.close();
  }

  public RuleStatus status(String rule) {
    return engine.rule(rule).orElseThrow().status();
  }

  /**
   * Commits a row in {@code flush_mark} and waits until {@code present} sees it on the rule's
   * target.
   *
   * @param present tells whether the target holds the flush row with this id
   */
  public void flush(java.util.function.IntPredicate present) throws InterruptedException {
    int id = ++flushes;
    sql("INSERT INTO flush_mark VALUES (" + id + ")");
    await(() -> present.test(id), "the flush row " + id + " to reach the target");
  }

  public void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!condition.getAsBoolean()) {
      boolean failed =
          engine != null && engine.status().stream().anyMatch(s -> s.state() == RuleState.FAILED);
      if ((Instant.now().isAfter(deadline) || (failed && failFast)) && !condition.getAsBoolean()) {
        fail(
            "waited 60 s for "
                + what
                + "; rules: "
                + (engine == null ? "-" : engine.status())
                + "; events: "
                + events);
      }
      Thread.sleep(25);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (engine != null) {
        engine.close();
      }
      if (capture != null) {
        capture.close();
      }
      if (journal != null) {
        journal.close();
      }
    } finally {
      for (int i = 0;
          i < 100
              && !source
                  .queryIn(
                      "postgres",
                      "SELECT 1 FROM pg_replication_slots WHERE active AND database = '"
                          + database
                          + "'")
                  .isEmpty();
          i++) {
        Thread.sleep(100);
      }
      source.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
              + database
              + "'",
          "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
