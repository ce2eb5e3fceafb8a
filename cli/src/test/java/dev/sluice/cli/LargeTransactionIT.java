package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.Journal;
import dev.sluice.journal.JournalEntry;
import dev.sluice.journal.JournalReader;
import dev.sluice.testkit.PostgresCluster;
import dev.sluice.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** One transaction of 1,000,000 rows is captured by a sidecar limited to a 256 MB heap. */
class LargeTransactionIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("large-source");
  private static final int ROWS = 1_000_000;

  @TempDir Path dir;

  @Test
  void aMillionRowTransactionPassesWithA256MegabyteHeap() throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE large");
    pg.executeIn("large", "CREATE TABLE big(id int PRIMARY KEY, payload text NOT NULL)");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        "source: { url: '%s', slot: large }\njournal: { dir: journal }\nmonitor: { port: 0 }\n"
            .formatted(pg.jdbcUrl("large")));
    try (SluiceProcess sluice =
        SluiceProcess.start(
            List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
            dir.resolve("sluice.log"),
            "run",
            "-c",
            config.toString())) {
      // the rows must be streamed, not read by the initial snapshot: insert once the slot streams
      // (a fixed 5 s wait was too short for the sidecar to start on a loaded machine)
      Instant started = Instant.now().plus(Duration.ofMinutes(2));
      while (!pg.queryValue(
              "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'large'")
          .equals(1L)) {
        assertThat(sluice.isAlive()).as("the sidecar died; log:\n" + sluice.log()).isTrue();
        assertThat(Instant.now())
            .as("the sidecar streaming; log:\n" + sluice.log())
            .isBefore(started);
        Thread.sleep(100);
      }
      pg.executeIn(
          "large",
          "INSERT INTO big SELECT g, md5(g::text) || md5((g + 1)::text) FROM generate_series(1, "
              + ROWS
              + ") g");

      Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
      long[] seen = {0, 0};
      while (Instant.now().isBefore(deadline)) {
        assertThat(sluice.isAlive()).as("the sidecar died; log:\n" + sluice.log()).isTrue();
        seen = count(dir.resolve("journal"));
        if (seen[0] >= ROWS) {
          break;
        }
        Thread.sleep(2_000);
      }

      assertThat(seen[0]).as("changes journaled").isEqualTo(ROWS);
      assertThat(seen[1]).as("transactions ended").isEqualTo(1);
      assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      assertThat(sluice.log()).doesNotContain("OutOfMemoryError");
    }
  }

  /** Changes of {@code big}, and how many of them end a transaction. */
  private static long[] count(Path journalDir) {
    long[] counts = {0, 0};
    if (!Files.exists(journalDir.resolve("queue/metadata.cq4t"))) {
      return counts;
    }
    try (Journal journal = Journal.openReadOnly(journalDir);
        JournalReader reader = journal.reader()) {
      for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
        if (e instanceof ChangeEvent c && c.table().name().equals("big")) {
          counts[0]++;
          if (c.isLastInTransaction()) {
            counts[1]++;
          }
        }
      }
    }
    return counts;
  }
}
