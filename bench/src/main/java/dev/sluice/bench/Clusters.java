package dev.sluice.bench;

import dev.sluice.testkit.PostgresCluster;
import java.util.Map;

/**
 * The run's source and target PostgreSQL 17 clusters (testkit's embedded fixture, binaries from
 * Maven Central), shared by every scenario and by both sides of every comparison. The source holds
 * the database {@code bench}. Closing stops both and removes their directories.
 */
public final class Clusters implements AutoCloseable {
  /** The source database. */
  public static final String DATABASE = "bench";

  /** Settings for bulk loads: few checkpoints during a load, room for the slots' WAL. */
  private static final Map<String, String> SETTINGS =
      Map.of(
          "max_wal_size", "'4GB'",
          "checkpoint_timeout", "'30min'",
          "shared_buffers", "'256MB'",
          "max_worker_processes", "16",
          "max_logical_replication_workers", "8",
          "wal_sender_timeout", "'0'");

  private final PostgresCluster source;
  private final PostgresCluster target;

  private Clusters(PostgresCluster source, PostgresCluster target) {
    this.source = source;
    this.target = target;
  }

  public static Clusters start() {
    PostgresCluster source = PostgresCluster.start("bench-source", SETTINGS);
    try {
      PostgresCluster target = PostgresCluster.start("bench-target", SETTINGS);
      source.execute("CREATE DATABASE " + DATABASE);
      return new Clusters(source, target);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  public PostgresCluster source() {
    return source;
  }

  public PostgresCluster target() {
    return target;
  }

  @Override
  public void close() {
    try {
      target.close();
    } finally {
      source.close();
    }
  }
}
