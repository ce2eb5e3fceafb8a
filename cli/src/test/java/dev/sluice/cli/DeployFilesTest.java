package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The deployment examples under {@code deploy/}: the Kubernetes manifest parsed and checked for the
 * fields Kubernetes requires and for every reference inside it (Secret keys, ConfigMap, volumes,
 * ports, probes), with its sluice.yaml loaded by the real loader; the systemd unit checked by
 * {@code systemd-analyze verify} when the machine has it, and for the settings that matter.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final YAMLMapper YAML = new YAMLMapper();

  private static Map<String, JsonNode> kubernetesObjects() throws Exception {
    Map<String, JsonNode> byKind = new LinkedHashMap<>();
    try (var documents =
        YAML.readValues(
            YAML.createParser(DEPLOY.resolve("kubernetes/sidecar.yaml").toFile()),
            JsonNode.class)) {
      while (documents.hasNext()) {
        JsonNode object = documents.next();
        assertThat(object.path("apiVersion").asText()).as("apiVersion").isNotEmpty();
        assertThat(object.path("metadata").path("name").asText()).as("metadata.name").isNotEmpty();
        byKind.put(object.path("kind").asText(), object);
      }
    }
    return byKind;
  }

  private static JsonNode container(JsonNode statefulSet, String name) {
    for (JsonNode container : statefulSet.at("/spec/template/spec/containers")) {
      if (container.path("name").asText().equals(name)) {
        return container;
      }
    }
    throw new AssertionError("no container " + name);
  }

  @Test
  void theKubernetesManifestHasItsObjectsAndEveryReferenceInItResolves() throws Exception {
    Map<String, JsonNode> objects = kubernetesObjects();
    assertThat(objects).containsOnlyKeys("Secret", "ConfigMap", "Service", "StatefulSet");
    JsonNode set = objects.get("StatefulSet");
    JsonNode secret = objects.get("Secret");
    assertThat(set.path("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(set.at("/spec/template/metadata/labels"))
        .isEqualTo(set.at("/spec/selector/matchLabels"));

    Set<String> volumes = new HashSet<>();
    set.at("/spec/template/spec/volumes").forEach(v -> volumes.add(v.path("name").asText()));
    set.at("/spec/volumeClaimTemplates").forEach(v -> volumes.add(v.at("/metadata/name").asText()));
    Set<String> ports = new HashSet<>();
    for (JsonNode container : set.at("/spec/template/spec/containers")) {
      assertThat(container.path("image").asText()).as("image").isNotEmpty();
      container.path("ports").forEach(p -> ports.add(p.path("name").asText()));
      for (JsonNode mount : container.path("volumeMounts")) {
        assertThat(volumes).as("volumes").contains(mount.path("name").asText());
      }
      for (JsonNode env : container.path("env")) {
        JsonNode ref = env.at("/valueFrom/secretKeyRef");
        if (!ref.isMissingNode()) {
          assertThat(ref.path("name").asText()).isEqualTo(secret.at("/metadata/name").asText());
          assertThat(secret.path("stringData").has(ref.path("key").asText()))
              .as("Secret key " + ref.path("key").asText())
              .isTrue();
        }
      }
    }
    for (JsonNode port : objects.get("Service").at("/spec/ports")) {
      assertThat(ports).contains(port.path("targetPort").asText());
    }
    set.at("/spec/template/spec/volumes")
        .forEach(
            v -> {
              if (v.has("configMap")) {
                assertThat(v.at("/configMap/name").asText())
                    .isEqualTo(objects.get("ConfigMap").at("/metadata/name").asText());
              }
            });
  }

  @Test
  void theSluiceContainerRunsAsNonRootIsLiveOnLivezAndReadyOnApiHealthWithTheSecretsToken()
      throws Exception {
    Map<String, JsonNode> objects = kubernetesObjects();
    JsonNode sluice = container(objects.get("StatefulSet"), "sluice");
    String token = objects.get("Secret").at("/stringData/SLUICE_TOKEN").asText();

    for (String probe : List.of("livenessProbe", "startupProbe")) {
      JsonNode get = sluice.path(probe).path("httpGet");
      assertThat(get.path("path").asText()).as(probe).isEqualTo("/livez");
      assertThat(get.path("port").asInt()).as(probe).isEqualTo(14499);
      assertThat(get.has("httpHeaders")).as(probe + " carries no token").isFalse();
    }
    JsonNode ready = sluice.path("readinessProbe").path("httpGet");
    assertThat(ready.path("path").asText()).isEqualTo("/api/health");
    assertThat(ready.path("port").asInt()).isEqualTo(14499);
    assertThat(ready.at("/httpHeaders/0/value").asText()).isEqualTo("Bearer " + token);
    assertThat(sluice.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(sluice.at("/securityContext/runAsUser").asInt()).isPositive();
    assertThat(sluice.path("args").toString()).contains("run", "/etc/sluice/sluice.yaml");
  }

  @Test
  void theConfigMapsSluiceYamlIsValidWithTheSecretsValuesAndKeepsItsJournalOnTheVolume()
      throws Exception {
    Map<String, JsonNode> objects = kubernetesObjects();
    Map<String, String> environment = new HashMap<>();
    objects
        .get("Secret")
        .path("stringData")
        .properties()
        .forEach(e -> environment.put(e.getKey(), e.getValue().asText()));
    String yaml = objects.get("ConfigMap").at("/data/sluice.yaml").asText();

    SluiceConfig config =
        new ConfigLoader(environment).parse(yaml, "sluice.yaml", Path.of("/etc/sluice"), null);

    JsonNode sluice = container(objects.get("StatefulSet"), "sluice");
    List<String> mounts = new ArrayList<>();
    sluice.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()));
    assertThat(mounts).contains("/etc/sluice", "/var/lib/sluice");
    assertThat(config.journal().dir().startsWith(Path.of("/var/lib/sluice"))).isTrue();
    assertThat(config.monitor().port()).isEqualTo(14499);
    assertThat(config.monitor().token().reveal()).isEqualTo(environment.get("SLUICE_TOKEN"));
  }

  @Test
  void theSystemdUnitRestartsOnFailureStopsCleanlyAndTakesSecretsFromAnEnvironmentFile()
      throws Exception {
    Path unit = DEPLOY.resolve("systemd/sluice.service");
    Map<String, String> service = new HashMap<>();
    String section = "";
    for (String line : Files.readAllLines(unit, StandardCharsets.UTF_8)) {
      if (line.startsWith("[")) {
        section = line;
      } else if (section.equals("[Service]") && line.contains("=") && !line.startsWith("#")) {
        service.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }

    assertThat(service)
        .containsEntry("Restart", "on-failure")
        .containsEntry("RestartPreventExitStatus", "2")
        .containsEntry("KillSignal", "SIGTERM")
        .containsEntry("EnvironmentFile", "/etc/sluice/sluice.env")
        .containsEntry("StateDirectory", "sluice")
        .containsKey("TimeoutStopSec");
    assertThat(service.get("ExecStart")).contains("-jar", "run -c /etc/sluice/sluice.yaml");
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    if (Files.isExecutable(analyze)) {
      Process verify =
          new ProcessBuilder(analyze.toString(), "verify", unit.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(verify.exitValue()).as(out).isZero();
      assertThat(out).as("systemd-analyze verify says nothing about a good unit").isBlank();
    }
  }
}
