package dev.sluice.capture.internal;

import io.debezium.connector.postgresql.PostgresConnector;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.connector.Task;

/**
 * Debezium's PostgreSQL connector with Sluice's task ({@link CaptureConnectorTask}), named as the
 * engine's {@code connector.class}. Everything else, validation included, is the connector's own.
 */
public final class CaptureConnector extends PostgresConnector {
  @Override
  public Class<? extends Task> taskClass() {
    return CaptureConnectorTask.class;
  }

  /**
   * The connector's task configurations, naming Debezium's connector as {@code connector.class}:
   * the task picks its snapshot query, snapshot lock and signal actions by that name, and finds
   * only generic ones (with a warning each) under another.
   */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = super.taskConfigs(maxTasks);
    configs.forEach(c -> c.put("connector.class", PostgresConnector.class.getName()));
    return configs;
  }
}
