package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.journal.Op;
import dev.sluice.journal.Unavailable;
import dev.sluice.testkit.PostgresBinaries;
import dev.sluice.testkit.PostgresCluster;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The version matrix of capture and apply: for every supported PostgreSQL major, a mixed workload
 * (every operation, TOASTed values, primary-key updates, a TRUNCATE, a multi-statement transaction,
 * odd names and values) is captured from a source of that major into the journal and applied to a
 * target of the same major and to one of 17; 13 is also applied to 18 and 18 to 13, and 15 also to
 * Debian's PostgreSQL 15 on 127.0.0.1:5432 (a real server, not an embedded one). Every rule ends
 * with {@code sluice verify} equal; {@code validate --dry-run}, {@code status} and {@code
 * /api/pipeline} name the source's version.
 *
 * <p>The values of every type are the fidelity tests' business; this matrix takes the few whose
 * handling once differed from the rest (BC dates read by a snapshot, a key change that leaves a
 * TOASTed value unchanged) through every major too.
 *
 * <p>One cluster per major, shared by the whole class: a source database of its own major and a
 * target database for each source that applies to it.
 */
class VersionMatrixIT {
  private static final Map<Integer, PostgresCluster> CLUSTERS = new TreeMap<>();
  private static final String DEBIAN_15 = "jdbc:postgresql://127.0.0.1:5432/";
  private static final String ODD = "\"Odd \"\"Keys\"\" Ω\"";

  @TempDir Path dir;

  static Stream<Integer> majors() {
    return PostgresBinaries.MAJORS.stream();
  }

  private static synchronized PostgresCluster cluster(int major) {
    return CLUSTERS.computeIfAbsent(major, m -> PostgresCluster.start("matrix-" + m, m, Map.of()));
  }

  @AfterAll
  static void stopClusters() {
    CLUSTERS.values().forEach(PostgresCluster::close);
    CLUSTERS.clear();
  }

  /** The targets of a source of {@code major}: name to JDBC URL. */
  private Map<String, String> targets(int major, String database) {
    Map<String, String> targets = new LinkedHashMap<>();
    List<Integer> majors = new ArrayList<>(List.of(major, 17));
    if (major == 13) {
      majors.add(18);
    } else if (major == 18) {
      majors.add(13);
    }
    for (int target : majors.stream().distinct().toList()) {
      PostgresCluster cluster = cluster(target);
      cluster.execute("CREATE DATABASE " + database);
      targets.put("pg" + target, cluster.jdbcUrl(database));
    }
    if (major == 15) {
      debian15("CREATE DATABASE " + database);
      targets.put("debian15", DEBIAN_15 + database);
    }
    return targets;
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @MethodSource("majors")
  void aMixedWorkloadFromThisMajorArrivesEqualInATargetOfItsOwnMajorAndOf17(int major)
      throws Exception {
    PostgresCluster source = cluster(major);
    String database = "source_" + major;
    String copy = "copy_of_" + major + "_" + ProcessHandle.current().pid();
    source.execute("CREATE DATABASE " + database);
    source.executeIn(database, SCHEMA);
    source.executeIn(database, snapshotRows());
    Map<String, String> targets = targets(major, copy);
    try {
      Path file = config(source.jdbcUrl(database), "matrix_" + major, targets);

      CliRun validate = CliRun.of("validate", "--dry-run", "-c", file.toString());
      assertThat(validate.exitCode()).as(validate.out() + validate.err()).isZero();
      assertThat(validate.out()).containsPattern("# source: PostgreSQL " + major + "\\.[0-9]+");

      SluiceConfig config = new ConfigLoader(Map.of()).load(file);
      try (Sidecar sidecar = Sidecar.start(config, new MetricRegistry(), Sidecar.Listeners.NONE)) {
        await(
            "the snapshot of PostgreSQL " + major + " journaled",
            () -> sidecar.captureStatus().state().name().equals("STREAMING"));
        stream(source, database);

        for (String target : targets.keySet()) {
          CliRun verify =
              CliRun.of(
                  "verify", "-c", file.toString(), "--rule", "to-" + target, "--wait", "120s");
          assertThat(verify.exitCode())
              .as("PostgreSQL %d -> %s: %s%s", major, target, verify.out(), verify.err())
              .isZero();
          assertThat(verify.out()).contains("EQUAL").doesNotContain("DIFFERENT");
        }
        assertThat(sidecar.captureStatus().sourceVersion()).startsWith(major + ".");
        JsonNode pipeline = get(sidecar, "/api/pipeline");
        assertThat(pipeline.get("capture").get("sourceVersion").asText()).startsWith(major + ".");
        CliRun status = CliRun.of("status", "-c", file.toString());
        assertThat(status.out()).containsPattern("source +PostgreSQL " + major + "\\.[0-9]+");
        assertThat(sidecar.failure()).isNotDone();
      }
      assertJournal(major, config.journal().dir());
    } finally {
      for (String target : targets.keySet()) {
        if (target.equals("debian15")) {
          debian15("DROP DATABASE IF EXISTS " + copy + " WITH (FORCE)");
        }
      }
    }
  }

  private static final String[] SCHEMA = {
    "CREATE TABLE items(id bigint PRIMARY KEY, name text NOT NULL, qty int, price numeric(12,2),"
        + " ratio float8, tags text[], doc jsonb, born date, at timestamptz, note text,"
        + " photo bytea)",
    // stored out of line, uncompressed, from about 2 kB on: every long note is TOASTed
    "ALTER TABLE items ALTER COLUMN note SET STORAGE EXTERNAL",
    "CREATE TABLE " + ODD + "(region text, n int, v text, PRIMARY KEY (region, n))",
    "CREATE TABLE events(id int PRIMARY KEY, body text)",
    "CREATE TABLE ledger(id int PRIMARY KEY, memo text, amount numeric)",
    "ALTER TABLE ledger REPLICA IDENTITY FULL",
    "ALTER TABLE ledger ALTER COLUMN memo SET STORAGE EXTERNAL"
  };

  private static String items(int from, int to) {
    return "INSERT INTO items SELECT g, 'item ' || g || ' ''quoted'' 𝄞', g % 7, g * 1.25,"
        + " CASE g % 3 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN '-Infinity'::float8 ELSE g / 3.0 END,"
        + " ARRAY['a', NULL, 'ü😀'],"
        + " jsonb_build_object('n', g, 'nested', jsonb_build_array(1, 'two', NULL)),"
        + " DATE '1900-02-28' + g * 400, TIMESTAMPTZ '2026-11-20 10:15:30.123456+00' + g * INTERVAL"
        + " '1 hour', CASE WHEN g % 5 = 0 THEN repeat(md5(g::text), 3000) END,"
        + " decode('00ff' || lpad(to_hex(g), 4, '0'), 'hex')"
        + " FROM generate_series("
        + from
        + ", "
        + to
        + ") g";
  }

  private static String[] snapshotRows() {
    return new String[] {
      items(1, 50),
      "INSERT INTO "
          + ODD
          + " SELECT CASE WHEN g % 2 = 0 THEN 'north' ELSE 'süd' END, g, 'v' || g"
          + " FROM generate_series(1, 10) g",
      "INSERT INTO events SELECT g, 'event ' || g FROM generate_series(1, 10) g",
      "INSERT INTO items(id, name, born, at) VALUES"
          + " (900, 'before Christ', DATE '0044-03-15 BC', TIMESTAMPTZ '0001-12-31 23:59:59+00 BC')",
      "INSERT INTO ledger SELECT g, repeat(md5((g * 7)::text), 2000), g * 10.5"
          + " FROM generate_series(1, 10) g"
    };
  }

  /** Every kind of change, each statement its own transaction, then one transaction of several. */
  private static void stream(PostgresCluster source, String database) throws Exception {
    source.executeIn(
        database,
        items(51, 60),
        "UPDATE items SET qty = qty + 100 WHERE id IN (5, 10)", // their notes: TOASTed, unchanged
        "UPDATE items SET note = repeat('changed 😀 ', 20000) WHERE id = 15",
        "UPDATE items SET note = NULL WHERE id = 35",
        "UPDATE items SET id = id + 1000 WHERE id IN (21, 22)",
        "UPDATE items SET id = id + 1000 WHERE id = 25", // its note: TOASTed, unchanged
        "DELETE FROM items WHERE id IN (30, 31)",
        "UPDATE " + ODD + " SET n = n + 100 WHERE region = 'north' AND n = 2",
        "DELETE FROM " + ODD + " WHERE n = 3",
        "TRUNCATE events",
        "INSERT INTO events VALUES (100, 'after the truncate')",
        "UPDATE ledger SET amount = amount * 2 WHERE id IN (1, 2)", // FULL identity, memo unchanged
        "UPDATE ledger SET memo = 'short now' WHERE id = 4",
        "DELETE FROM ledger WHERE id = 3");
    try (Connection c = source.connect(database);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute(items(2000, 2499));
      st.execute("UPDATE items SET qty = -1 WHERE id BETWEEN 2000 AND 2100");
      st.execute("DELETE FROM items WHERE id BETWEEN 2400 AND 2499");
      st.execute("UPDATE items SET id = 4900 WHERE id = 49");
      c.commit();
    }
  }

  /** What the journal must hold whatever the major: every operation, as the source made it. */
  private static void assertJournal(int major, Path journalDir) {
    Map<String, Long> ops = new TreeMap<>();
    List<String> unchangedToast = new ArrayList<>();
    List<String> fullBefore = new ArrayList<>();
    long keyChanges = 0;
    try (Journal journal = Journal.openReadOnly(journalDir);
        JournalReader reader = journal.reader()) {
      for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
        if (!(entry instanceof ChangeEvent change)) {
          continue;
        }
        String table = change.table().name();
        ops.merge(table + " " + change.op().label(), 1L, Long::sum);
        if (change.has(ChangeEvent.KEY_CHANGE_OLD) || change.has(ChangeEvent.KEY_CHANGE_NEW)) {
          keyChanges++;
        }
        if (change.after() != null
            && Arrays.asList(change.after()).contains(Unavailable.UNCHANGED_TOAST)) {
          unchangedToast.add(table + " " + change.op().label() + " " + keyOf(change));
        }
        if (table.equals("ledger") && change.op() == Op.UPDATE && change.before() != null) {
          fullBefore.add(keyOf(change));
        }
      }
    }
    System.out.printf(
        "PostgreSQL %d journal: %s; unchanged TOAST in %s; ledger updates with a before image: %s%n",
        major, ops, unchangedToast, fullBefore);
    assertThat(ops)
        .as("PostgreSQL %d", major)
        .containsEntry("items read", 51L)
        .containsEntry("events read", 10L)
        .containsEntry("events truncate", 1L)
        .containsEntry("events insert", 1L)
        .containsEntry("ledger delete", 1L)
        .containsEntry("ledger update", 3L)
        .containsKeys("items insert", "items update", "items delete", "Odd \"Keys\" Ω delete");
    assertThat(keyChanges).as("the halves of 5 primary-key updates").isEqualTo(10);
    assertThat(unchangedToast)
        .as("updates that left a TOASTed note unchanged, one of them a key change")
        .contains("items update [5]", "items update [10]", "items insert [1025]");
    assertThat(fullBefore)
        .as("REPLICA IDENTITY FULL")
        .containsExactlyInAnyOrder("[1]", "[2]", "[4]");
  }

  private static String keyOf(ChangeEvent change) {
    return Arrays.toString(change.key());
  }

  private Path config(String sourceUrl, String slot, Map<String, String> targets) throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            """
            source: { url: "%s", slot: %s, heartbeat: 500ms }
            journal: { dir: journal }
            monitor: { port: 0, poll: 200ms }
            state: ./state/sluice-state.json
            targets:
            """
                .formatted(sourceUrl, slot));
    targets.forEach(
        (name, url) -> yaml.append("  %s: { url: \"%s\", user: postgres }\n".formatted(name, url)));
    yaml.append("rules:\n");
    targets
        .keySet()
        .forEach(
            name ->
                yaml.append(
                    "  - { name: to-%s, target: %s, batch: { maxDelay: 20ms } }\n"
                        .formatted(name, name)));
    return Files.writeString(dir.resolve("sluice.yaml"), yaml.toString());
  }

  private static void debian15(String sql) {
    try (Connection c = DriverManager.getConnection(DEBIAN_15 + "postgres", "postgres", "");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(
          "Debian's PostgreSQL 15 on 127.0.0.1:5432: " + e.getMessage(), e);
    }
  }

  private static JsonNode get(Sidecar sidecar, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(sidecar.monitorUri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(response.body());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
