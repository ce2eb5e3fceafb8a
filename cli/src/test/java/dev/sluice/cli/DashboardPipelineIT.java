package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.Chromium;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard of a running pipeline in a real headless Chromium: capture from an embedded
 * PostgreSQL, two rules (one into PostgreSQL, one into SQLite), a replica group; a change the
 * PostgreSQL target refuses makes its rule fail, and the page shows it as it happens. The
 * screenshot lands in {@code cli/target/dashboard-pipeline.png}.
 */
class DashboardPipelineIT {
  @RegisterExtension
  static final PostgresExtension PG = new PostgresExtension("dashboard-pipeline");

  private static final String TOKEN = "pipeline-dashboard-token";

  @TempDir Path dir;

  @Test
  void theDashboardOfARunningPipelineShowsItsRulesReplicasAndARuleFailingLive() throws Exception {
    PostgresCluster pg = PG.cluster();
    pg.execute("CREATE DATABASE shop", "CREATE DATABASE copy");
    pg.executeIn(
        "shop",
        "CREATE TABLE orders(id int PRIMARY KEY, qty int, note text)",
        "INSERT INTO orders SELECT g, g % 7, 'order ' || g FROM generate_series(1, 500) g");
    pg.executeIn(
        "copy", "CREATE TABLE orders(id int PRIMARY KEY, qty int CHECK (qty >= 0), note text)");
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source: { url: '%1$s', slot: dashboard, tables: [public.orders] }
        journal: { dir: journal }
        targets:
          reporting: { url: '%2$s', user: postgres }
          local: { url: "jdbc:sqlite:./local.db" }
        rules:
          - { name: to-reporting, target: reporting }
          - { name: to-local, target: local }
        replicas:
          shop:
            nodes:
              - { name: primary, role: master, url: '%1$s' }
              - { name: reporting, role: slave, url: '%2$s', user: postgres, fedBy: to-reporting }
        monitor: { port: 0, poll: 500ms, token: %3$s }
        state: ./state/sluice-state.json
        """
            .formatted(pg.jdbcUrl("shop"), pg.jdbcUrl("copy"), TOKEN));
    SluiceConfig config = new ConfigLoader(Map.of()).load(file);
    try (Sidecar sidecar = Sidecar.start(config, new MetricRegistry(), Sidecar.Listeners.NONE);
        Chromium chromium = Chromium.start(1600, 1000)) {
      chromium.navigate(URI.create(sidecar.monitorUri() + "?token=" + TOKEN));
      chromium.await(
          "document.querySelectorAll('tr.rule').length === 2"
              + " && document.querySelector('tr.rule[data-rule=\"to-reporting\"] .lag-value')",
          Duration.ofSeconds(30));
      chromium.await(
          "document.querySelector('tr.rule[data-rule=\"to-local\"]').textContent.includes('running')",
          Duration.ofSeconds(60));
      assertThat(
              chromium
                  .evaluate(
                      "document.querySelector('tr.rule[data-rule=\"to-reporting\"] .lag-value')"
                          + ".textContent")
                  .asText())
          .matches("\\d+(\\.\\d+)? (ms|s)|—|0");
      assertThat(
              chromium
                  .evaluate(
                      "document.querySelector('[data-group=\"shop\"] tr.node[data-node=\"reporting\"]')"
                          + " !== null")
                  .asBoolean())
          .isTrue();
      chromium.await(
          "document.getElementById('stream-state').textContent === 'live'", Duration.ofSeconds(10));

      pg.executeIn("shop", "UPDATE orders SET qty = -1 WHERE id = 42");
      String arrived =
          chromium
              .await(
                  "document.querySelector('#events li[data-type=\"rule.error\"] .msg')"
                      + "?.textContent",
                  Duration.ofSeconds(60))
              .asText();
      assertThat(arrived).contains("orders_qty_check");
      chromium.await(
          "document.querySelector('tr.rule-error[data-rule=\"to-reporting\"]')"
              + "?.textContent.includes('orders_qty_check')",
          Duration.ofSeconds(10));
      assertThat(chromium.evaluate("document.getElementById('health').textContent").asText())
          .isEqualTo("failing");
      Path screenshot = Path.of("target", "dashboard-pipeline.png");
      chromium.screenshot(screenshot);
      assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }
  }
}
