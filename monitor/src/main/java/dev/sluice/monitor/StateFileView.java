package dev.sluice.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
  private static final Duration MIN_STALE = Duration.ofSeconds(10);

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

  /**
   * The file's figures, reloaded first when the file changed. When they are older than {@link
   * #staleAfter} their health is not ok ("the state file is stale"): the sidecar that writes it
   * every poll is likely down, and a script asking {@code /api/health} must not be told otherwise.
   */
  @Override
  public Snapshot snapshot() {
    refresh();
    Snapshot snapshot;
    synchronized (this) {
      snapshot = contents.snapshot();
    }
    Duration age = Duration.between(snapshot.takenAt(), Instant.now());
    if (age.compareTo(staleAfter(snapshot.poll())) <= 0) {
      return snapshot;
    }
    List<String> reasons = new ArrayList<>(snapshot.health().reasons());
    reasons.add(
        "the state file is stale: its figures are "
            + age.toSeconds()
            + " s old, and the sidecar rewrites it every "
            + snapshot.poll().toMillis() / 1000.0
            + " s (is it running?)");
    return new Snapshot(
        snapshot.takenAt(),
        snapshot.poll(),
        snapshot.pipeline(),
        snapshot.rules(),
        snapshot.replicas(),
        new HealthView(false, reasons));
  }

  /** How old figures may be before they count as stale: five polls, and at least 10 s. */
  public static Duration staleAfter(Duration poll) {
    Duration five = poll.multipliedBy(5);
    return five.compareTo(MIN_STALE) < 0 ? MIN_STALE : five;
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
