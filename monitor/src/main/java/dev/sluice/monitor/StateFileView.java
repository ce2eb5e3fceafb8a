package dev.sluice.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The figures of a state file, reloaded when the file changes: the {@link MonitorSource} of {@code
 * sluice monitor --state FILE}. Events that a reload brings are published to the feed, so SSE
 * clients see them.
 *
 * <p>Thread-safe. A file that disappears or cannot be read after the first load leaves the last
 * figures in place (their {@code takenAt} shows how old they are).
 */
public final class StateFileView implements MonitorSource {
  private static final Logger LOG = LoggerFactory.getLogger(StateFileView.class);

  private final Path file;
  private final ActivityFeed feed;
  private StateFile.Contents contents;
  private Set<ActivityEvent> seen = Set.of();
  private FileTime modified;
  private long size;
  private String lastProblem;

  private StateFileView(Path file, ActivityFeed feed) {
    this.file = file;
    this.feed = feed;
  }

  /**
   * Reads the file and publishes its events to the feed.
   *
   * @throws UncheckedIOException when it is missing or unreadable
   * @throws IllegalArgumentException when it is not a state file
   */
  public static StateFileView open(Path file, ActivityFeed feed) {
    StateFileView view = new StateFileView(file, Objects.requireNonNull(feed, "feed"));
    synchronized (view) {
      view.load(StateFile.read(file), stamp(file));
    }
    return view;
  }

  /** The file's figures, reloaded first when the file changed. */
  @Override
  public Snapshot snapshot() {
    refresh();
    synchronized (this) {
      return contents.snapshot();
    }
  }

  /** Reloads the file when it changed since the last load; returns whether it did. */
  public synchronized boolean refresh() {
    try {
      Stamp stamp = stamp(file);
      if (stamp.modified().equals(modified) && stamp.size() == size) {
        return false;
      }
      load(StateFile.read(file), stamp);
      lastProblem = null;
      return true;
    } catch (UncheckedIOException | IllegalArgumentException e) {
      if (!Objects.equals(lastProblem, e.getMessage())) {
        lastProblem = e.getMessage();
        LOG.warn("keeping the last figures: {}", e.getMessage());
      }
      return false;
    }
  }

  private void load(StateFile.Contents loaded, Stamp stamp) {
    Set<ActivityEvent> now = new HashSet<>(loaded.events());
    for (ActivityEvent event : loaded.events()) {
      if (!seen.contains(event)) {
        feed.publish(event);
      }
    }
    seen = now;
    contents = loaded;
    modified = stamp.modified();
    size = stamp.size();
  }

  /** The file's events as last loaded, oldest first. */
  public synchronized List<ActivityEvent> events() {
    return contents.events();
  }

  private record Stamp(FileTime modified, long size) {}

  private static Stamp stamp(Path file) {
    try {
      return new Stamp(Files.getLastModifiedTime(file), Files.size(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the state file " + file + ": " + e, e);
    }
  }
}
