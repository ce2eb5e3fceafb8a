package dev.sluice.testkit;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One PostgreSQL cluster shared by all tests of a class, of the default major unless one is given:
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("source");
 * @RegisterExtension static final PostgresExtension OLD = new PostgresExtension("old", 13);
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private final String name;
  private final int major;
  private final Map<String, String> settings;
  private PostgresCluster cluster;

  public PostgresExtension(String name) {
    this(name, Map.of());
  }

  public PostgresExtension(String name, Map<String, String> settings) {
    this(name, PostgresBinaries.DEFAULT_MAJOR, settings);
  }

  public PostgresExtension(String name, int major) {
    this(name, major, Map.of());
  }

  public PostgresExtension(String name, int major, Map<String, String> settings) {
    this.name = name;
    this.major = major;
    this.settings = Map.copyOf(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = PostgresCluster.start(name, major, settings);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The running cluster (available from {@code @BeforeAll} on). */
  public PostgresCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the cluster " + name + " is not started yet");
    }
    return cluster;
  }
}
