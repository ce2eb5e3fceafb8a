package dev.sluice.apply.internal;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.ChangeJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * The changes a rule with {@code onError: skip} could not apply: one JSON line each in {@code
 * <journal>/dead-letters/<rule>.jsonl} ({@code {"rule", "failedAt", "error", "change"}}, the change
 * in {@code sluice tail}'s format), forced to disk before the rule goes on. They hold row data, so
 * the file is created readable by its owner only ({@code rw-------}, its directory {@code
 * rwx------}).
 */
public final class DeadLetters {
  private final Path file;

  public DeadLetters(Path journalDir, String rule) {
    this.file = journalDir.resolve("dead-letters").resolve(rule + ".jsonl");
  }

  public Path file() {
    return file;
  }

  public synchronized void write(String rule, ChangeEvent change, String error) {
    String line =
        "{\"rule\":"
            + SqlValues.quoteJson(rule)
            + ",\"failedAt\":\""
            + Instant.now()
            + "\",\"error\":"
            + SqlValues.quoteJson(error)
            + ",\"change\":"
            + ChangeJson.toJson(change)
            + "}\n";
    try {
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (!Files.isDirectory(file.getParent())) {
        Files.createDirectories(file.getParent());
        if (posix) {
          Files.setPosixFilePermissions(
              file.getParent(), PosixFilePermissions.fromString("rwx------"));
        }
      }
      Set<StandardOpenOption> options =
          Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      try (FileChannel channel =
          posix
              ? FileChannel.open(
                  file,
                  options,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : FileChannel.open(file, options)) {
        channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dead-letter file " + file, e);
    }
  }
}
