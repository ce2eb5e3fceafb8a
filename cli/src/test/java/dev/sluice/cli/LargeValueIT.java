package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * Large single values (text and bytea) through a sidecar limited to a 256 MB heap: 15 MB each, the
 * largest size measured to pass (a bytea value must fit one journal entry of 16 MB; a 100 MB text
 * value exhausts the heap). {@code -Dsluice.largeValueMb=N} tries another size.
 */
class LargeValueIT {
  @RegisterExtension static final PostgresExtension SOURCE = new PostgresExtension("large-value");
  private static final int MB = Integer.getInteger("sluice.largeValueMb", 15);

  @TempDir Path dir;

  @Test
  void fifteenMegabyteTextAndByteaValuesAreCapturedJournaledAndAppliedWithA256MegabyteHeap()
      throws Exception {
    PostgresCluster pg = SOURCE.cluster();
    pg.execute("CREATE DATABASE lv_source", "CREATE DATABASE lv_target");
    pg.executeIn("lv_source", "CREATE TABLE big(id int PRIMARY KEY, t text, b bytea)");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        """
        source: { url: '%s', slot: large_value, heartbeat: 1s }
        journal: { dir: journal }
        monitor: { port: 0 }
        targets:
          pg: { url: '%s', user: postgres }
        rules:
          - { name: to-pg, target: pg }
        """
            .formatted(pg.jdbcUrl("lv_source"), pg.jdbcUrl("lv_target")));
    try (SluiceProcess sluice =
        SluiceProcess.start(
            List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
            dir.resolve("sluice.log"),
            "run",
            "-c",
            config.toString())) {
      pg.executeIn("lv_source", "INSERT INTO big VALUES (0, 'small', '\\x00')");
      awaitTarget(pg, sluice, "SELECT count(*) FROM public.big WHERE id = 0", 1);

      pg.executeIn(
          "lv_source",
          "INSERT INTO big VALUES (1, repeat('t', " + MB + " * 1024 * 1024), NULL)",
          "INSERT INTO big VALUES (2, NULL,"
              + " decode(repeat('ab', "
              + MB
              + " * 1024 * 1024), 'hex'))");

      awaitTarget(
          pg,
          sluice,
          "SELECT coalesce(sum(coalesce(length(t), 0) + coalesce(length(b), 0)), 0)"
              + " FROM public.big WHERE id IN (1, 2)",
          2L * MB * 1024 * 1024);
      String digests = "SELECT id, md5(t), md5(b) FROM public.big ORDER BY id";
      assertThat(pg.queryIn("lv_target", digests)).isEqualTo(pg.queryIn("lv_source", digests));
      assertThat(sluice.terminate(Duration.ofSeconds(60))).as(sluice.log()).isZero();
      assertThat(sluice.log()).doesNotContain("OutOfMemoryError");
    }
  }

  private static void awaitTarget(
      PostgresCluster pg, SluiceProcess sluice, String query, long expected) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    long seen = -1;
    while (Instant.now().isBefore(deadline)) {
      assertThat(sluice.isAlive()).as("the sidecar died; log:\n" + sluice.log()).isTrue();
      try {
        seen = ((Number) pg.queryIn("lv_target", query).get(0).get(0)).longValue();
      } catch (IllegalStateException e) {
        seen = -1; // the table does not exist yet
      }
      if (seen == expected) {
        return;
      }
      Thread.sleep(1_000);
    }
    assertThat(seen)
        .as("%s on the target; sidecar log:%n%s", query, sluice.log())
        .isEqualTo(expected);
  }
}
