package dev.sluice.topology.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.DurableFile;
import dev.sluice.config.SetupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code topology-roles.json}, next to the state file: the running masters after promotions, so
 * they survive restarts. Read at start to override the configured roles; replaced durably ({@link
 * DurableFile}: a synced temporary file renamed over it, the directory synced) and readable by its
 * owner only. It holds node names and times, never credentials.
 *
 * <pre>{@code
 * {
 *   "format" : 1,
 *   "updatedAt" : "2026-11-22T10:00:00.123Z",
 *   "groups" : {
 *     "app" : { "master" : "standby-1", "previousMaster" : "primary",
 *               "promotedAt" : "2026-11-22T10:00:00.100Z" }
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe: writes are serialised.
 */
public final class RolesFile {
  public static final String NAME = "topology-roles.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;

  public RolesFile(Path file) {
    this.file = file;
  }

  /** The roles file next to a state file. */
  public static RolesFile besideState(Path stateFile) {
    Path dir = stateFile.toAbsolutePath().getParent();
    return new RolesFile(dir.resolve(NAME));
  }

  public Path path() {
    return file;
  }

  /** When it was last written, or null when it does not exist. */
  public FileTime modified() {
    try {
      return Files.exists(file) ? Files.getLastModifiedTime(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The recorded roles; none when the file does not exist.
   *
   * @throws SetupException when it exists but cannot be read
   */
  public Roles read() {
    if (!Files.exists(file)) {
      return Roles.NONE;
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      Map<String, Roles.Master> groups = new LinkedHashMap<>();
      JsonNode g = root.path("groups");
      for (Map.Entry<String, JsonNode> e : g.properties()) {
        JsonNode m = e.getValue();
        if (!m.path("master").isTextual()) {
          throw new IOException("group " + e.getKey() + " has no \"master\"");
        }
        groups.put(
            e.getKey(),
            new Roles.Master(
                m.path("master").asText(),
                m.path("previousMaster").asText(null),
                m.hasNonNull("promotedAt") ? Instant.parse(m.get("promotedAt").asText()) : null));
      }
      return new Roles(groups);
    } catch (IOException | RuntimeException e) {
      throw new SetupException(
          "cannot read the running roles in "
              + file
              + ": "
              + e.getMessage()
              + " (fix or remove the file; removing it makes the configured roles apply)",
          e);
    }
  }

  /** Replaces the file with {@code roles}, atomically. */
  public synchronized void write(Roles roles) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", 1);
    root.put("updatedAt", Instant.now().toString());
    ObjectNode groups = root.putObject("groups");
    roles
        .groups()
        .forEach(
            (name, m) -> {
              ObjectNode g = groups.putObject(name);
              g.put("master", m.master());
              g.put("previousMaster", m.previousMaster());
              g.put("promotedAt", m.promotedAt() == null ? null : m.promotedAt().toString());
            });
    try {
      Files.createDirectories(file.getParent());
      DurableFile.replace(file, JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the running roles to " + file, e);
    }
  }
}
