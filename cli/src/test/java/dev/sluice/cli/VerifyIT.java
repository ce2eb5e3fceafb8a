package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice verify} while a workload writes to the source and {@code sluice run} applies it: it
 * compares at a consistent point and re-checks what differs, so changes in flight are not reported,
 * and a row changed behind the sidecar's back is.
 */
class VerifyIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension("verify-source");

  private static final int ROWS = 5_000;

  /** The row the workload never touches, so that a change to it on the target stays. */
  private static final int QUIET = 1;

  private static final AtomicInteger RUNS = new AtomicInteger();

  @TempDir Path dir;

  private final AtomicBoolean writing = new AtomicBoolean(true);
  private final AtomicLong transactions = new AtomicLong();
  private final ExecutorService workload = Executors.newSingleThreadExecutor();
  private SluiceProcess sidecar;
  private Path config;
  private String source;
  private String copy;

  @BeforeEach
  void startTheSidecarAndAWorkload() throws Exception {
    PostgresCluster pg = PG.cluster();
    int run = RUNS.incrementAndGet();
    source = "shop" + run;
    copy = "copy" + run;
    pg.execute("CREATE DATABASE " + source, "CREATE DATABASE " + copy);
    pg.executeIn(
        source,
        "CREATE TABLE items(id int PRIMARY KEY, qty int NOT NULL, note text)",
        "INSERT INTO items SELECT g, g % 97, 'item ' || g FROM generate_series(1, " + ROWS + ") g");
    config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source: { url: "%s", slot: verify_%s, snapshot: initial }
        journal: { dir: journal }
        targets:
          copy: { url: "%s", user: postgres }
        rules:
          - { name: to-copy, target: copy, batch: { maxDelay: 20ms } }
        monitor: { port: 0 }
        """
            .formatted(pg.jdbcUrl(source), source, pg.jdbcUrl(copy)));
    sidecar =
        SluiceProcess.start(List.of(), dir.resolve("run.log"), "run", "-c", config.toString());
    Instant deadline = Instant.now().plusSeconds(120);
    while (copied() < ROWS) {
      assertThat(sidecar.isAlive()).as(sidecar.log()).isTrue();
      assertThat(Instant.now()).as("the snapshot reaches the target").isBefore(deadline);
      Thread.sleep(200);
    }
    workload.submit(this::write);
    while (transactions.get() < 50) {
      assertThat(Instant.now()).as("the workload writes").isBefore(deadline);
      Thread.sleep(20);
    }
  }

  @AfterEach
  void stop() throws Exception {
    writing.set(false);
    workload.shutdown();
    assertThat(workload.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    if (sidecar != null) {
      assertThat(sidecar.terminate(Duration.ofSeconds(60))).as(sidecar.log()).isZero();
    }
  }

  private long copied() {
    try {
      return PG.cluster().queryIn(copy, "SELECT count(*) FROM public.items").get(0).get(0)
              instanceof Long count
          ? count
          : 0;
    } catch (RuntimeException tableNotYetCreated) {
      return 0;
    }
  }

  /**
   * Inserts, updates and deletes in small transactions, as fast as it can, never touching QUIET.
   */
  private Void write() throws Exception {
    Random random = new Random(7);
    int next = ROWS + 1;
    try (Connection connection = PG.cluster().connect(source);
        PreparedStatement insert =
            connection.prepareStatement("INSERT INTO items VALUES (?, 1, 'new')");
        PreparedStatement update =
            connection.prepareStatement("UPDATE items SET qty = qty + 1, note = ? WHERE id = ?");
        PreparedStatement delete = connection.prepareStatement("DELETE FROM items WHERE id = ?")) {
      connection.setAutoCommit(false);
      while (writing.get()) {
        insert.setInt(1, next++);
        insert.executeUpdate();
        for (int i = 0; i < 3; i++) {
          update.setString(1, "changed " + random.nextInt());
          update.setInt(2, QUIET + 1 + random.nextInt(next - QUIET - 1));
          update.executeUpdate();
        }
        if (random.nextInt(4) == 0) {
          delete.setInt(1, QUIET + 1 + random.nextInt(next - QUIET - 1));
          delete.executeUpdate();
        }
        connection.commit();
        transactions.incrementAndGet();
      }
    }
    return null;
  }

  @Test
  void verifyWhileTheSourceIsBusyFindsSourceAndTargetEqual() throws Exception {
    long before = transactions.get();

    CliRun run = CliRun.of("verify", "-c", config.toString(), "--rule", "to-copy");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("EQUAL     public.items -> public.items")
        .containsPattern(
            "rule to-copy: source and target are equal \\([0-9,]+ rows compared in [0-9.]+ s,"
                + " [0-9,]+ rows/s; [0-9.]+ s in all, waiting for replication included\\)");
    assertThat(transactions.get()).as("the workload wrote while verify ran").isGreaterThan(before);
  }

  @Test
  void aRowChangedOnTheTargetBehindTheSidecarsBackIsReportedWhileTheSourceIsBusy()
      throws Exception {
    PG.cluster().executeIn(copy, "UPDATE public.items SET note = 'tampered' WHERE id = " + QUIET);
    long before = transactions.get();

    CliRun run = CliRun.of("verify", "-c", config.toString(), "--rule", "to-copy");

    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(ExitCode.FAILURE);
    assertThat(run.out())
        .contains("DIFFERENT public.items -> public.items")
        .contains("1 rows differ")
        .contains("different id=" + QUIET + "  (note: source item " + QUIET + ", target tampered)")
        .contains("rule to-copy: source and target differ");
    assertThat(transactions.get()).as("the workload wrote while verify ran").isGreaterThan(before);
  }
}
