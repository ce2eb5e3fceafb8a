package dev.sluice.topology.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SetupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code topology-roles.json}, next to the state file: the running masters after promotions, so
 * they survive restarts. Read at start to override the configured roles; written atomically
 * (temporary file in the same directory, fsync, rename) and readable by its owner only. It holds
 * node names and times, never credentials.
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
      Path dir = file.getParent();
      Files.createDirectories(dir);
      Path temp = createOwnerOnly(dir);
      try {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          channel.write(ByteBuffer.wrap(JSON.writeValueAsBytes(root)));
          channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the running roles to " + file, e);
    }
  }

  private Path createOwnerOnly(Path dir) throws IOException {
    try {
      return Files.createTempFile(
          dir,
          "." + NAME,
          ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException | FileSystemException e) {
      return Files.createTempFile(dir, "." + NAME, ".tmp");
    }
  }
}
