package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sidecar as the build packages it, {@code cli/target/sluice.jar} with its {@code lib/}: it
 * holds what {@code sluice run} needs and none of the demo's or the tests' parts ({@code ./sluice
 * demo} runs from the demo module's jar).
 */
class RuntimeLibrariesIT {
  private static final Path TARGET = Path.of("target");

  @Test
  void theLibFolderHoldsNoDemoTestOrBenchmarkParts() throws Exception {
    List<String> jars;
    try (Stream<Path> files = Files.list(TARGET.resolve("lib"))) {
      jars = files.map(file -> file.getFileName().toString()).sorted().toList();
    }

    assertThat(jars).anyMatch(jar -> jar.startsWith("sluice-capture-"));
    assertThat(jars).anyMatch(jar -> jar.startsWith("debezium-connector-postgres-"));
    assertThat(SidecarRuntime.foreign(jars)).isEmpty();
  }

  @Test
  void theJarsClassPathNamesOnlyTheLibFolderAndHasNoDemo() throws Exception {
    try (JarFile jar = new JarFile(TARGET.resolve("sluice.jar").toFile())) {
      List<String> classPath =
          Arrays.asList(jar.getManifest().getMainAttributes().getValue("Class-Path").split(" "));

      assertThat(classPath).allMatch(entry -> entry.startsWith("lib/"));
      for (String entry : classPath) {
        assertThat(TARGET.resolve(entry)).as(entry).exists();
      }
      assertThat(SidecarRuntime.foreign(classPath)).isEmpty();
      assertThat(jar.getEntry("dev/sluice/demo/DemoCommand.class")).isNull();
    }
  }
}
