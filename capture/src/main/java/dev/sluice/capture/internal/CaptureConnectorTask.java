package dev.sluice.capture.internal;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.pipeline.ChangeEventSourceCoordinator;

/**
 * Debezium's PostgreSQL task, less the per-change work of its metrics (see {@link QuietMetrics}):
 * after the task starts, its snapshot and streaming metrics get a metadata provider that describes
 * no change. Started again by the engine after a retriable failure, it does so again.
 */
public final class CaptureConnectorTask extends PostgresConnectorTask {
  @Override
  public ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> start(
      Configuration config) {
    ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> coordinator =
        super.start(config);
    QuietMetrics.install(coordinator);
    return coordinator;
  }
}
