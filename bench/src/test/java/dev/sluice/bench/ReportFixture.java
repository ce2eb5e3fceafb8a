package dev.sluice.bench;

import java.time.Instant;
import java.util.List;

/** A small report with known figures, for the table and JSON tests. */
final class ReportFixture {
  private ReportFixture() {}

  static Report report(boolean failedCheck) {
    Measurement sluice =
        new Measurement(
            "capture", "sluice", "rows/s", true, List.of(40_000.0, 50_000.0, 45_000.0), "a");
    Measurement recv =
        new Measurement(
            "capture",
            "pg_recvlogical",
            "rows/s",
            true,
            List.of(90_000.0, 100_000.0, 95_000.0),
            "b");
    Measurement p50 = new Measurement("latency", "sluice", "p50 ms", false, List.of(4.25), "c");
    return new Report(
        Instant.parse("2026-11-22T07:00:00Z"),
        12.5,
        "full",
        "./sluice bench",
        new Machine(2, 24_105, "AMD EPYC", "17.0.15 (Debian)", "Linux 6.18"),
        BenchSettings.full(),
        List.of(sluice, recv, p50),
        List.of(new Comparison("capture", "rows/s", sluice, recv)),
        List.of(
            new Check("capture", "sluice", "rows journaled", 1000, failedCheck ? 999 : 1000),
            new Check("capture", "pg_recvlogical", "insert messages", 1000, 1000)),
        List.of("targets: no real MongoDB"));
  }
}
