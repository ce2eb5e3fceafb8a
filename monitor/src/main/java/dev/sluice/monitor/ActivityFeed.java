package dev.sluice.monitor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The activity feed: the last events, and live subscriptions to new ones (the SSE stream).
 *
 * <p>Thread-safe. {@link #publish} never blocks on a subscriber: each subscription has a bounded
 * queue, and a subscriber that falls that far behind is dropped (its {@link Subscription#poll} then
 * reports it closed). Components publish from their own threads, as things happen.
 */
public final class ActivityFeed {
  /** How many events a feed keeps unless told otherwise. */
  public static final int DEFAULT_CAPACITY = 1000;

  /** How many events a subscriber may have waiting before it is dropped. */
  public static final int SUBSCRIBER_QUEUE = 256;

  private final int capacity;
  private final Deque<Entry> recent = new ArrayDeque<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private long lastId;

  public ActivityFeed() {
    this(DEFAULT_CAPACITY);
  }

  /**
   * @param capacity how many of the last events to keep
   */
  public ActivityFeed(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * An event with its feed-assigned id (increasing from 1, in publication order).
   *
   * @param id the event's id in this feed
   * @param event the event
   */
  public record Entry(long id, ActivityEvent event) {}

  /** Adds an event and hands it to every subscriber. Never blocks. */
  public void publish(ActivityEvent event) {
    Entry entry;
    synchronized (recent) {
      entry = new Entry(++lastId, event);
      recent.addLast(entry);
      if (recent.size() > capacity) {
        recent.removeFirst();
      }
      // under the lock, so that subscribers see events in id order
      for (Subscription subscription : subscriptions) {
        subscription.offer(entry);
      }
    }
  }

  /** The last {@code limit} events, oldest first. */
  public List<ActivityEvent> last(int limit) {
    return lastEntries(limit).stream().map(Entry::event).toList();
  }

  /** The last {@code limit} entries, oldest first. */
  public List<Entry> lastEntries(int limit) {
    synchronized (recent) {
      List<Entry> all = new ArrayList<>(recent);
      return List.copyOf(all.subList(Math.max(0, all.size() - Math.max(0, limit)), all.size()));
    }
  }

  /**
   * Subscribes to events published from now on, after first receiving the kept ones whose id is
   * greater than {@code afterId} (pass {@link Long#MAX_VALUE} for none, 0 for all kept).
   */
  public Subscription subscribe(long afterId) {
    Subscription subscription = new Subscription(SUBSCRIBER_QUEUE);
    synchronized (recent) {
      for (Entry entry : recent) {
        if (entry.id() > afterId) {
          subscription.offer(entry);
        }
      }
      subscriptions.add(subscription);
    }
    return subscription;
  }

  /** How many subscriptions are open. */
  public int subscribers() {
    return subscriptions.size();
  }

  /**
   * One subscriber's queue of events. Not shared: one thread polls it. Closing it (or overflowing
   * it) removes it from the feed.
   */
  public final class Subscription implements AutoCloseable {
    private final BlockingQueue<Entry> queue;
    private volatile boolean closed;
    private volatile boolean overflowed;

    private Subscription(int size) {
      this.queue = new ArrayBlockingQueue<>(size);
    }

    private void offer(Entry entry) {
      if (closed) {
        return;
      }
      if (!queue.offer(entry)) {
        overflowed = true;
        close();
      }
    }

    /**
     * The next event, waiting up to {@code timeout}; null when none came in time or the
     * subscription is closed (see {@link #isClosed()}).
     */
    public Entry poll(Duration timeout) throws InterruptedException {
      if (closed) {
        return null;
      }
      return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether it was closed, by its owner or because its subscriber fell too far behind. */
    public boolean isClosed() {
      return closed;
    }

    /** Whether it was dropped because its subscriber did not keep up. */
    public boolean overflowed() {
      return overflowed;
    }

    @Override
    public void close() {
      closed = true;
      subscriptions.remove(this);
    }
  }
}
