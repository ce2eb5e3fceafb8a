package dev.sluice.bench;

import dev.sluice.testkit.PostgresCluster;
import java.time.Duration;

/**
 * PostgreSQL's native logical replication of one source table into a target database, the baseline
 * of the end-to-end and latency scenarios: a publication on the source, a subscription (default
 * settings, {@code copy_data = false}: the table is empty) on the target.
 */
final class NativeReplication implements AutoCloseable {
  private final PostgresCluster source;
  private final PostgresCluster target;
  private final String table;
  private final String database;

  private NativeReplication(
      PostgresCluster source, PostgresCluster target, String table, String database) {
    this.source = source;
    this.target = target;
    this.table = table;
    this.database = database;
  }

  /**
   * Publishes {@code public.table} (which must exist on the source, and in {@code database} on the
   * target), subscribes, and returns once the subscription's walsender streams.
   */
  static NativeReplication start(Clusters clusters, String table, String database)
      throws InterruptedException {
    PostgresCluster source = clusters.source();
    PostgresCluster target = clusters.target();
    source.executeIn(
        Clusters.DATABASE, "CREATE PUBLICATION p_" + table + " FOR TABLE public." + table);
    target.executeIn(
        database,
        "CREATE SUBSCRIPTION sub_"
            + table
            + " CONNECTION 'host=127.0.0.1 port="
            + source.port()
            + " user=postgres dbname="
            + Clusters.DATABASE
            + "' PUBLICATION p_"
            + table
            + " WITH (copy_data = false)");
    BenchContext.await(
        () ->
            source
                .queryValue(
                    "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'sub_"
                        + table
                        + "' AND state = 'streaming'")
                .equals(1L),
        20,
        Duration.ofMinutes(2),
        "the subscription sub_" + table + " streaming");
    return new NativeReplication(source, target, table, database);
  }

  /** Drops the subscription (and with it its slot on the source) and the publication. */
  @Override
  public void close() {
    target.executeIn(database, "DROP SUBSCRIPTION sub_" + table);
    source.executeIn(Clusters.DATABASE, "DROP PUBLICATION p_" + table);
  }
}
