package dev.sluice.topology.internal;

import dev.sluice.topology.TopologyException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exclusive lock that one promotion or rejoin holds from start to end: {@code
 * topology-roles.json.lock} beside the roles file, locked with the operating system's file lock, so
 * two {@code sluice promote} commands (or a command and a running sidecar's API) never change one
 * group at the same time. The lock goes with the process: a holder killed with {@code kill -9}
 * releases it. The file itself is never removed (removing a lock file lets two holders lock two
 * different files); while held it names its holder, for the message of those who wait.
 *
 * <p>Within one process, file locks cannot be taken twice: a second holder there waits as another
 * process would.
 */
public final class RolesLock implements AutoCloseable {
  /** How long an operation waits for the one in progress before it gives up. */
  public static final Duration WAIT = Duration.ofMinutes(2);

  private static final Logger LOG = LoggerFactory.getLogger(RolesLock.class);
  private static final long POLL_MILLIS = 50;

  private final FileChannel channel;
  private final FileLock lock;

  private RolesLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock file beside a roles file. */
  public static Path besideRoles(Path rolesFile) {
    return rolesFile.resolveSibling(rolesFile.getFileName() + ".lock");
  }

  /**
   * Takes the lock, waiting at most {@code wait} for its holder.
   *
   * @param purpose what the holder does, for those who wait (e.g. {@code promote app/standby-1})
   * @throws TopologyException when it is still held after {@code wait}, naming its holder
   */
  public static RolesLock acquire(Path lockFile, String purpose, Duration wait) {
    FileChannel channel = null;
    try {
      OwnerOnlyFile.createDirectories(lockFile.toAbsolutePath().getParent());
      channel = OwnerOnlyFile.openKeeping(lockFile);
      long deadline = System.nanoTime() + wait.toNanos();
      boolean said = false;
      while (true) {
        FileLock lock = tryLock(channel);
        if (lock != null) {
          RolesLock held = new RolesLock(channel, lock);
          held.describe(purpose);
          return held;
        }
        if (!said) {
          LOG.info("waiting for {} to finish ({})", holder(channel), lockFile);
          said = true;
        }
        if (System.nanoTime() > deadline) {
          throw new TopologyException(
              "another promotion or rejoin ("
                  + holder(channel)
                  + ") still holds "
                  + lockFile
                  + " after "
                  + wait.toSeconds()
                  + " s; try again when it has finished");
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (IOException e) {
      close(channel);
      throw new UncheckedIOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      close(channel);
      Thread.currentThread().interrupt();
      throw new TopologyException("interrupted while waiting for " + lockFile, e);
    } catch (RuntimeException e) {
      close(channel);
      throw e;
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this process, by another operation
    }
  }

  private void describe(String purpose) throws IOException {
    byte[] text =
        (purpose + " by process " + ProcessHandle.current().pid() + " since " + Instant.now())
            .getBytes(StandardCharsets.UTF_8);
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(text), 0);
    channel.force(false);
  }

  /** What the file says of its holder, or a general phrase when it says nothing. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(1024);
      int read = channel.read(buffer, 0);
      String text =
          read <= 0 ? "" : new String(buffer.array(), 0, read, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "its holder did not say what it does" : text;
    } catch (IOException e) {
      return "its holder cannot be read: " + e.getMessage();
    }
  }

  /** Releases the lock; the next waiter takes it. */
  @Override
  public void close() {
    try {
      channel.truncate(0);
      lock.release();
    } catch (IOException e) {
      LOG.debug("releasing the roles lock: {}", e.toString());
    } finally {
      close(channel);
    }
  }

  private static void close(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closing releases the lock in any case
    }
  }
}
