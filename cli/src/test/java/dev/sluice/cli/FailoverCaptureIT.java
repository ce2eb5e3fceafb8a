package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import dev.sluice.topology.AppliedPositions;
import dev.sluice.topology.PromotionResult;
import dev.sluice.topology.Topology;
import dev.sluice.topology.TopologyEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running sidecar whose source is promoted away by {@code sluice promote} (another process: a
 * topology of its own that records the new roles): capture follows the new master, with its
 * PostgreSQL 17 failover slot when the standby synchronised it, or by re-reading the tables when it
 * did not. Either way the target ends equal to the source.
 */
class FailoverCaptureIT {
  @RegisterExtension
  static final PostgresExtension PRIMARY = new PostgresExtension("follow-primary");

  @TempDir Path dir;

  private SluiceConfig config(PostgresCluster primary, PostgresCluster standby) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(
        file,
        """
        source: { url: "%1$s", slot: follow, tables: [public.orders], heartbeat: 500ms }
        journal: { dir: journal }
        targets:
          copy: { url: "jdbc:sqlite:./copy.db" }
        rules:
          - { name: to-copy, target: copy }
        replicas:
          app:
            hysteresis: 0s
            nodes:
              - { name: primary, role: master, url: "%1$s" }
              - { name: standby, role: slave, url: "%2$s", lagTolerance: 0 }
        monitor: { port: 0, poll: 200ms }
        state: ./state/sluice-state.json
        """
            .formatted(primary.jdbcUrl(), standby.jdbcUrl()));
    return new ConfigLoader(Map.of()).load(file);
  }

  @Test
  void withAFailoverSlotCaptureResumesOnTheNewMasterWithNoGapAndNoDuplicate() throws Exception {
    PostgresCluster primary = PRIMARY.cluster();
    primary.execute(
        "CREATE TABLE orders(id int PRIMARY KEY, v text)",
        "INSERT INTO orders SELECT g, 'before' FROM generate_series(1, 100) g",
        "SELECT pg_create_physical_replication_slot('follow_standby', true)");
    try (PostgresCluster standby =
        primary.cloneStandby(
            "follow-standby",
            Map.of(
                "primary_slot_name", "'follow_standby'",
                "sync_replication_slots", "on",
                "primary_conninfo",
                    "'host=127.0.0.1 port="
                        + primary.port()
                        + " user=postgres dbname=postgres application_name=follow-standby'"))) {
      // a copied data directory carries the primary's slots; a base backup would not
      standby.execute("SELECT pg_drop_replication_slot('follow_standby')");
      primary.execute(
          "ALTER SYSTEM SET synchronized_standby_slots = 'follow_standby'",
          "SELECT pg_reload_conf()");
      SluiceConfig config = config(primary, standby);
      List<TopologyEvent> seen = new CopyOnWriteArrayList<>();
      try (Sidecar sidecar =
          Sidecar.start(
              config,
              new MetricRegistry(),
              new Sidecar.Listeners(event -> {}, event -> {}, seen::add))) {
        Path target = dir.resolve("copy.db");
        await("the snapshot on the target", () -> count(target) == 100);
        primary.execute("INSERT INTO orders SELECT g, 'streamed' FROM generate_series(101, 200) g");
        await("the streamed rows on the target", () -> count(target) == 200);
        await(
            "the capture slot synchronised to the standby",
            () -> {
              primary.execute(
                  "INSERT INTO orders VALUES (1000, 'nudge') ON CONFLICT (id) DO UPDATE SET"
                      + " v = excluded.v || '.'",
                  "SELECT pg_log_standby_snapshot()");
              return Boolean.TRUE.equals(
                  standby.queryValue(
                      "SELECT coalesce(bool_or(synced AND NOT temporary), false)"
                          + " FROM pg_replication_slots WHERE slot_name = 'follow'"));
            });

        PromotionResult promoted = promote(config);
        assertThat(promoted.capture().resumesWithoutGap()).as(promoted.toString()).isTrue();
        standby.execute(
            "INSERT INTO orders SELECT g, 'on the new master' FROM generate_series(201, 300) g",
            "UPDATE orders SET v = 'updated on the new master' WHERE id <= 10",
            "DELETE FROM orders WHERE id BETWEEN 11 AND 20");

        await(
            "every change on the new master on the target (300 rows and the nudged one, less 10"
                + " deleted)",
            () -> count(target) == 291 && count(target, "v = 'updated on the new master'") == 10);
        assertThat(sidecar.captureStatus().state().name()).isEqualTo("STREAMING");
        assertThat(sidecar.failure()).isNotDone();
        assertThat(count(target, "v = 'before'")).isEqualTo(80);
        assertThat(seen).anyMatch(e -> e.type() == TopologyEvent.Type.PROMOTED);
        assertThat(eventText(sidecar)).contains("capture resumes from its stored position");
      }
    }
  }

  @Test
  void withoutAFailoverSlotCaptureCreatesItsSlotOnTheNewMasterAndReReadsTheTables()
      throws Exception {
    try (PostgresCluster primary = PostgresCluster.start("plain-primary")) {
      primary.execute(
          "CREATE TABLE orders(id int PRIMARY KEY, v text)",
          "INSERT INTO orders SELECT g, 'before' FROM generate_series(1, 50) g");
      try (PostgresCluster standby = primary.cloneStandby("plain-standby")) {
        SluiceConfig config = config(primary, standby);
        try (Sidecar sidecar =
            Sidecar.start(config, new MetricRegistry(), Sidecar.Listeners.NONE)) {
          Path target = dir.resolve("copy.db");
          await("the snapshot on the target", () -> count(target) == 50);
          primary.execute("INSERT INTO orders SELECT g, 'streamed' FROM generate_series(51, 60) g");
          await("the streamed rows on the target", () -> count(target) == 60);
          await(
              "the standby caught up",
              () -> standby.queryLong("SELECT count(*) FROM orders") == 60);

          PromotionResult promoted = promote(config);
          assertThat(promoted.capture().resumesWithoutGap()).isFalse();
          standby.execute(
              "INSERT INTO orders SELECT g, 'on the new master' FROM generate_series(61, 70) g",
              "UPDATE orders SET v = 'updated on the new master' WHERE id <= 5");

          await(
              "the tables re-read from the new master",
              () -> count(target) == 70 && count(target, "v = 'updated on the new master'") == 5);
          await(
              "capture streaming on the new master",
              () -> sidecar.captureStatus().state().name().equals("STREAMING"));
          standby.execute("INSERT INTO orders VALUES (71, 'streamed from the new master')");
          await("a change streamed from the new master", () -> count(target) == 71);
          assertThat(sidecar.failure()).isNotDone();
          assertThat(
                  standby.queryLong(
                      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'follow'"))
              .isEqualTo(1);
          assertThat(eventText(sidecar)).contains("re-reads the captured tables");
        }
      }
    }
  }

  /** What {@code sluice promote} does: its own topology, which records the new roles. */
  private static PromotionResult promote(SluiceConfig config) {
    try (Topology topology =
        Topology.start(config, AppliedPositions.NONE, event -> {}, Topology.Options.oneShot())) {
      topology.probeNow();
      return topology.promote("app", "standby", false);
    }
  }

  private static String eventText(Sidecar sidecar) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    return client
        .send(
            java.net.http.HttpRequest.newBuilder(sidecar.monitorUri().resolve("/api/events"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long count(Path sqlite) {
    return count(sqlite, "true");
  }

  private static long count(Path sqlite, String where) {
    if (!Files.exists(sqlite)) {
      return -1;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE " + where)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (Exception e) { // the table is not there yet
      return -1;
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
