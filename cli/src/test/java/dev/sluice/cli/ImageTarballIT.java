package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image Jib builds: its configuration (entrypoint with the JVM flags, non-root user,
 * port, arguments) and its layers, and its entrypoint run with this machine's Java against the
 * unpacked layers (so the image's class path is complete). Every verify builds the image on an
 * empty base for this check ({@code sluice.image.tar}); {@code -Pimage} builds the runnable one.
 */
class ImageTarballIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path unpacked;
  static JsonNode config;
  static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    String tarball = System.getProperty("sluice.image.tar");
    assertThat(tarball).as("sluice.image.tar (set by the build)").isNotNull();
    run(List.of("tar", "-xf", tarball, "-C", unpacked.toString()));
    JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
    config =
        JSON.readTree(unpacked.resolve(manifest.get("Config").asText()).toFile()).get("config");
    root = Files.createDirectories(unpacked.resolve("rootfs"));
    for (JsonNode layer : manifest.get("Layers")) {
      run(
          List.of(
              "tar", "-xzpf", unpacked.resolve(layer.asText()).toString(), "-C", root.toString()));
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(command + ":\n" + out).isZero();
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  @Test
  void theEntrypointCarriesTheJvmFlagsAndTheImageRunsAsANonRootUser() {
    List<String> entrypoint = strings(config.get("Entrypoint"));

    assertThat(entrypoint.get(0)).isEqualTo("java");
    for (int i = 0; i < SluiceProcess.JVM_FLAGS.size(); i += 2) {
      assertThat(entrypoint)
          .contains(SluiceProcess.JVM_FLAGS.get(i) + "=" + SluiceProcess.JVM_FLAGS.get(i + 1));
    }
    assertThat(entrypoint).contains("-Dchronicle.analytics.disable=true", "dev.sluice.cli.Main");
    assertThat(strings(config.get("Cmd"))).containsExactly("run", "-c", "/etc/sluice/sluice.yaml");
    assertThat(config.get("User").asText()).isEqualTo("65532:65532");
    assertThat(config.get("ExposedPorts").has("14499/tcp")).isTrue();
    assertThat(strings(config.get("Env"))).contains("SLUICE_LOG_FORMAT=json");
    assertThat(config.get("WorkingDir").asText()).isEqualTo("/var/lib/sluice");
  }

  @Test
  void theLayersHoldTheApplicationAndAWorkingDirectoryTheUserCanWrite() throws Exception {
    assertThat(root.resolve("app/jib-classpath-file")).exists();
    assertThat(root.resolve("app/classes/dev/sluice/cli/Main.class")).exists();
    assertThat(root.resolve("app/libs")).isDirectoryContaining("glob:**/sluice-capture-*.jar");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("var/lib/sluice"))))
        .isEqualTo("rwxrwxrwx");
  }

  @Test
  void theImageHoldsNoDemoTestOrBenchmarkParts() throws Exception {
    List<String> classPath =
        Arrays.asList(Files.readString(root.resolve("app/jib-classpath-file")).strip().split(":"));
    List<String> libs;
    try (var files = Files.list(root.resolve("app/libs"))) {
      libs = files.map(file -> file.getFileName().toString()).sorted().toList();
    }

    assertThat(SidecarRuntime.foreign(classPath)).isEmpty();
    assertThat(SidecarRuntime.foreign(libs)).isEmpty();
    assertThat(root.resolve("app/classes/dev/sluice/demo")).doesNotExist();
  }

  @Test
  void theEntrypointRunsWithTheImagesClassPath() throws Exception {
    String classPath = Files.readString(root.resolve("app/jib-classpath-file")).strip();
    Path rebased = unpacked.resolve("classpath");
    Files.writeString(
        rebased,
        Arrays.stream(classPath.split(":"))
            .map(entry -> root + entry)
            .collect(Collectors.joining(":")));
    List<String> command = new ArrayList<>(strings(config.get("Entrypoint")));
    command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.replaceAll(arg -> arg.equals("@/app/jib-classpath-file") ? "@" + rebased : arg);

    List<String> version = new ArrayList<>(command);
    version.add("--version");
    List<String> schema = new ArrayList<>(command);
    schema.add("schema");

    assertThat(run(version)).startsWith("sluice ");
    assertThat(JSON.readTree(run(schema)).get("title").asText()).isEqualTo("sluice.yaml");
  }
}
