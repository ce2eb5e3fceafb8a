package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigPrinter;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.SetupException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.monitor.Action;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The HTTP endpoints that change a running sidecar's configuration: each edits the running
 * configuration document ({@link ConfigDocument}), which is then validated exactly as the file is
 * and applied through the same path as a reload ({@link Sidecar#change}). Changes made here are
 * run-time changes: the file is never written, and a reload of the file replaces them.
 *
 * <p>Statuses: 200 with what changed; 400 with each problem at the path of its field (in the
 * request's body when it is there); 404 for an unknown rule, group or node; 409 for a change that
 * needs a restart. The token is required like everywhere.
 */
final class ConfigApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Sidecar sidecar;

  ConfigApi(Sidecar sidecar) {
    this.sidecar = sidecar;
  }

  /** The endpoints, by method and path pattern. */
  Map<String, Action> actions() {
    Map<String, Action> actions = new LinkedHashMap<>();
    actions.put("POST /api/reload", request -> reload());
    actions.put("GET /api/config", request -> config());
    actions.put(
        "POST /api/rules",
        request -> {
          Map<String, Object> rule = body(request);
          String prefix = "rules[" + sidecar.document().ruleCount() + "]";
          return change(d -> d.withRule(rule), "POST /api/rules", prefix);
        });
    actions.put(
        "DELETE /api/rules/{name}",
        request -> {
          String name = request.pathParameters().get("name");
          return change(d -> d.withoutRule(name), "DELETE /api/rules/" + name, null);
        });
    actions.put(
        "POST /api/rules/{name}/resync",
        request -> new Action.Accepted(sidecar.resync(request.pathParameters().get("name"))));
    actions.put(
        "POST /api/replicas/{group}/nodes",
        request -> {
          String group = request.pathParameters().get("group");
          Map<String, Object> node = body(request);
          String prefix =
              "replicas." + group + ".nodes[" + sidecar.document().nodeCount(group) + "]";
          return change(
              d -> d.withNode(group, node), "POST /api/replicas/" + group + "/nodes", prefix);
        });
    actions.put(
        "DELETE /api/replicas/{group}/nodes/{node}",
        request -> {
          String group = request.pathParameters().get("group");
          String node = request.pathParameters().get("node");
          return change(
              d -> d.withoutNode(group, node),
              "DELETE /api/replicas/" + group + "/nodes/" + node,
              null);
        });
    actions.put(
        "PUT /api/replicas/{group}/routing",
        request -> {
          String group = request.pathParameters().get("group");
          Map<String, Object> settings = body(request);
          return change(
              d -> d.withRouting(group, settings),
              "PUT /api/replicas/" + group + "/routing",
              "replicas." + group);
        });
    return actions;
  }

  private Object reload() {
    try {
      List<String> changed = sidecar.reload();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("file", String.valueOf(sidecar.config().file()));
      body.put("changed", changed);
      return body;
    } catch (ConfigException e) {
      throw invalid(e, null);
    } catch (SetupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** {@code GET /api/config}: the effective configuration, masked, and whether the file differs. */
  private Object config() {
    SluiceConfig effective = sidecar.config();
    Path file = effective.file();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("file", file == null ? null : file.toString());
    try {
      SluiceConfig inFile = file == null ? null : ConfigLoader.withSystemEnvironment().load(file);
      body.put("differsFromFile", inFile == null || !inFile.equals(effective));
    } catch (ConfigException e) {
      body.put("differsFromFile", true);
      body.put("fileProblems", e.problems().stream().map(ConfigProblem::toString).toList());
    }
    body.put("effective", ConfigPrinter.toYaml(effective));
    return body;
  }

  private Object change(UnaryOperator<ConfigDocument> edit, String origin, String bodyPath) {
    try {
      List<String> changed = sidecar.change(edit, origin);
      return Map.of("changed", changed);
    } catch (ConfigException e) {
      throw invalid(e, bodyPath);
    } catch (SetupException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * The problems of a configuration, each at its path; those inside the request's body ({@code
   * bodyPath}) at their path within the body.
   */
  private static Action.Invalid invalid(ConfigException e, String bodyPath) {
    List<Map<String, String>> problems = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    for (ConfigProblem p : e.problems()) {
      String path = p.path();
      if (bodyPath != null && path.equals(bodyPath)) {
        path = "";
      } else if (bodyPath != null && path.startsWith(bodyPath + ".")) {
        path = path.substring(bodyPath.length() + 1);
      }
      problems.add(Map.of("path", path, "message", p.message()));
      lines.add(path.isEmpty() ? p.message() : path + ": " + p.message());
    }
    return new Action.Invalid(
        "invalid configuration, nothing was changed: " + String.join("; ", lines), problems);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(Action.Request request) {
    try {
      Object body = JSON.readValue(request.body(), Object.class);
      if (body instanceof Map<?, ?> map) {
        return (Map<String, Object>) map;
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage(), e);
    }
    throw new IllegalArgumentException(
        "the body must be a JSON object with the keys of the YAML object, e.g. {\"name\": \"r\","
            + " \"target\": \"t\"}");
  }
}
