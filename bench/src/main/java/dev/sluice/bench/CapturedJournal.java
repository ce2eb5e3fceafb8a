package dev.sluice.bench;

import dev.sluice.apply.Applier;
import dev.sluice.apply.ApplyEngine;
import dev.sluice.apply.Replay;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.StreamSettings;
import dev.sluice.config.TargetConfig;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalPosition;
import dev.sluice.testkit.PostgresCluster;
import java.nio.file.Path;

/**
 * A journal holding a captured load, for the scenarios that measure applying from the journal
 * (replay, and the non-PostgreSQL targets): the load is inserted and captured by a Sluice pipeline
 * without rules, which is then closed. Immutable.
 *
 * @param table the captured table ({@code public.table} on the source; dropped there afterwards)
 * @param journalDir the journal
 * @param rows the rows it holds
 */
record CapturedJournal(String table, Path journalDir, int rows) {

  static CapturedJournal build(BenchContext ctx, String table, int rows) throws Exception {
    PostgresCluster source = ctx.clusters().source();
    source.executeIn(Clusters.DATABASE, Load.createTable(table));
    SluiceYaml yaml = SluiceYaml.capture(source, table, ctx.newDir(table).resolve("journal"));
    SluiceConfig config = SluicePipeline.load(yaml);
    try (SluicePipeline pipeline = SluicePipeline.start(config)) {
      Load.insert(source, table, 1, rows, ctx.settings().rowsPerTransaction());
      BenchContext.await(
          () -> pipeline.captured() >= rows, 20, ctx.timeoutFor(rows), "capturing " + table);
    }
    Load.dropSlot(source, yaml.slot());
    source.executeIn(
        Clusters.DATABASE, "DROP PUBLICATION " + yaml.publication(), "DROP TABLE public." + table);
    return new CapturedJournal(table, yaml.journalDir(), rows);
  }

  /**
   * Replays the whole journal into a target with {@code sluice replay}'s code path; returns changes
   * per second, after checking that every row was applied.
   */
  double replayInto(BenchContext ctx, String scenario, String subject, String url, String user)
      throws Exception {
    SluiceYaml yaml =
        SluiceYaml.capture(ctx.clusters().source(), table, journalDir).withTarget(url, user);
    SluiceConfig config = SluicePipeline.load(yaml);
    long from;
    try (Journal journal = Journal.openReadOnly(journalDir)) {
      from = journal.firstPosition();
    }
    Replay.Result result =
        Replay.run(config, SluiceYaml.RULE, from, JournalPosition.NONE, (done, total) -> {});
    ctx.results().check(scenario, subject, "changes replayed", rows, result.changes());
    double seconds = result.took().toNanos() / 1e9;
    ctx.results()
        .progress(
            String.format(
                "  %s/%s: %,d changes in %.2f s", scenario, subject, result.changes(), seconds));
    return result.changes() / seconds;
  }

  /**
   * Publishes the whole journal into a stream target (a NATS JetStream stream of its own, deleted
   * afterwards) with a running rule, as {@code sluice run} does; returns changes per second from
   * the rule's start until its checkpoint covers the journal, after checking that the stream holds
   * one message per change.
   */
  double publishInto(BenchContext ctx, String scenario, String subject, String natsUrl)
      throws Exception {
    String stream = "SLUICE_BENCH_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    String prefix = "bench" + ProcessHandle.current().pid();
    SluiceYaml yaml =
        SluiceYaml.capture(ctx.clusters().source(), table, journalDir).withTarget(natsUrl, null);
    SluiceConfig loaded = SluicePipeline.load(yaml);
    TargetConfig nats = loaded.targets().values().iterator().next();
    SluiceConfig config =
        new SluiceConfig(
            loaded.file(),
            loaded.source(),
            loaded.journal(),
            java.util.Map.of(
                nats.name(),
                new TargetConfig(
                    nats.name(),
                    nats.url(),
                    null,
                    null,
                    nats.dialect(),
                    new StreamSettings(stream, prefix))),
            loaded.rules(),
            loaded.replicas(),
            loaded.monitor(),
            loaded.state());
    try (io.nats.client.Connection connection = io.nats.client.Nats.connect(natsUrl)) {
      long took = publishNanos(ctx, config, subject);
      long messages =
          connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
      ctx.results().check(scenario, subject, "messages published", rows, messages);
      connection.jetStreamManagement().deleteStream(stream);
      double seconds = took / 1e9;
      ctx.results()
          .progress(
              String.format(
                  "  %s/%s: %,d changes in %.2f s", scenario, subject, messages, seconds));
      return rows / seconds;
    }
  }

  /**
   * Publishes the whole journal into Kafka (topics of a prefix of their own) with a running rule,
   * as {@code sluice run} does; returns changes per second from the rule's start until its
   * checkpoint covers the journal (every transaction committed), after checking that a {@code
   * read_committed} consumer sees one record per change.
   */
  double publishIntoKafka(BenchContext ctx, String scenario, String subject, String kafkaUrl)
      throws Exception {
    String prefix = "bench" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    SluiceYaml yaml =
        SluiceYaml.capture(ctx.clusters().source(), table, journalDir).withTarget(kafkaUrl, null);
    SluiceConfig loaded = SluicePipeline.load(yaml);
    TargetConfig kafka = loaded.targets().values().iterator().next();
    SluiceConfig config =
        new SluiceConfig(
            loaded.file(),
            loaded.source(),
            loaded.journal(),
            java.util.Map.of(
                kafka.name(),
                new TargetConfig(
                    kafka.name(),
                    kafka.url(),
                    null,
                    null,
                    kafka.dialect(),
                    kafka.connectTimeout(),
                    null,
                    kafka.kafka().withTopicPrefix(prefix))),
            loaded.rules(),
            loaded.replicas(),
            loaded.monitor(),
            loaded.state());
    long took = publishNanos(ctx, config, subject);
    long records = committedRecords(kafkaUrl.substring("kafka://".length()), prefix + ".");
    ctx.results().check(scenario, subject, "records published", rows, records);
    double seconds = took / 1e9;
    ctx.results()
        .progress(
            String.format("  %s/%s: %,d changes in %.2f s", scenario, subject, records, seconds));
    return rows / seconds;
  }

  /**
   * Runs the configuration's rule over the whole journal, as {@code sluice run} does: nanoseconds
   * from its start until its checkpoint covers the journal.
   */
  private long publishNanos(BenchContext ctx, SluiceConfig config, String subject)
      throws Exception {
    try (Journal journal = Journal.open(config.journal())) {
      long last = journal.lastPosition();
      long started = System.nanoTime();
      try (ApplyEngine engine = ApplyEngine.start(config, journal, () -> 0, event -> {})) {
        Applier rule = engine.rule(SluiceYaml.RULE).orElseThrow();
        BenchContext.await(
            () -> rule.checkpointPosition() >= last,
            20,
            ctx.timeoutFor(rows),
            "publishing " + table + " into " + subject);
        return System.nanoTime() - started;
      }
    }
  }

  /** How many records a read_committed consumer sees in the topics of the prefix. */
  private static long committedRecords(String bootstrapServers, String prefix) {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", bootstrapServers);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "10000");
    var bytes = new org.apache.kafka.common.serialization.ByteArrayDeserializer();
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, bytes, bytes)) {
      java.util.List<org.apache.kafka.common.TopicPartition> partitions =
          new java.util.ArrayList<>();
      consumer
          .listTopics(java.time.Duration.ofSeconds(20))
          .forEach(
              (topic, infos) -> {
                if (topic.startsWith(prefix)) {
                  infos.forEach(
                      i ->
                          partitions.add(
                              new org.apache.kafka.common.TopicPartition(topic, i.partition())));
                }
              });
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions, java.time.Duration.ofSeconds(20));
      long count = 0;
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        count += consumer.poll(java.time.Duration.ofMillis(200)).count();
      }
      return count;
    }
  }
}
