package dev.sluice.bench;

import dev.sluice.testkit.PostgresBinaries;
import dev.sluice.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * PostgreSQL's own logical decoding client, the capture baseline: reads a slot with the {@code
 * pgoutput} plugin up to an end LSN into a file, and exits.
 *
 * <p>Which binary: {@code SLUICE_BENCH_PG_RECVLOGICAL} when set; else the embedded PostgreSQL 17
 * bundle's, when it has one (the bundle from Maven Central holds only the server programs); else
 * the newest {@code /usr/lib/postgresql/N/bin/pg_recvlogical} (Debian's {@code postgresql-client}).
 * The streaming replication protocol is the same across these versions, and the decoding is done by
 * the server's {@code pgoutput}, so the client's version does not change the work measured.
 */
public final class PgRecvLogical {
  private final Path binary;

  private PgRecvLogical(Path binary) {
    this.binary = binary;
  }

  public static Optional<PgRecvLogical> find() {
    String configured = System.getenv("SLUICE_BENCH_PG_RECVLOGICAL");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(new PgRecvLogical(Path.of(configured)));
    }
    Path bundled = PostgresBinaries.bin("pg_recvlogical");
    if (Files.isExecutable(bundled)) {
      return Optional.of(new PgRecvLogical(bundled));
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(debian)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(debian)) {
      return versions
          .map(v -> v.resolve("bin/pg_recvlogical"))
          .filter(Files::isExecutable)
          .max(
              Comparator.comparingInt(
                  p -> {
                    String v = p.getParent().getParent().getFileName().toString();
                    return v.matches("\\d+") ? Integer.parseInt(v) : 0;
                  }))
          .map(PgRecvLogical::new);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public Path binary() {
    return binary;
  }

  /**
   * Reads {@code slot} from its position up to {@code endLsn} into {@code out}; returns when
   * pg_recvlogical exits.
   *
   * @throws IllegalStateException when it fails or runs longer than the timeout
   */
  public void read(
      PostgresCluster source,
      String slot,
      String publication,
      String endLsn,
      Path out,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    Path log = out.resolveSibling(out.getFileName() + ".log");
    Process process =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "--host=127.0.0.1",
                    "--port=" + source.port(),
                    "--username=postgres",
                    "--dbname=" + Clusters.DATABASE,
                    "--slot=" + slot,
                    "--start",
                    "--endpos=" + endLsn,
                    "--no-loop",
                    "--option=proto_version=1",
                    "--option=publication_names=" + publication,
                    "--file=" + out))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("pg_recvlogical did not finish in " + timeoutSeconds + " s");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "pg_recvlogical failed (exit " + process.exitValue() + "): " + Files.readString(log));
    }
  }
}
