package dev.sluice.apply.internal;

import dev.sluice.journal.ChangeEvent;
import dev.sluice.journal.ChangeJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The changes a rule with {@code onError: skip} could not apply: one JSON line each in {@code
 * <journal>/dead-letters/<rule>.jsonl} ({@code {"rule", "failedAt", "error", "change"}}, the change
 * in {@code sluice tail}'s format), forced to disk before the rule goes on.
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
      Files.createDirectories(file.getParent());
      try (FileChannel channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dead-letter file " + file, e);
    }
  }
}
