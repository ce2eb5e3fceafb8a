package dev.sluice.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ActivityFeedTest {
  private static ActivityEvent event(String message) {
    return new ActivityEvent(Instant.now(), "rule.error", "r", message);
  }

  @Test
  void itKeepsOnlyTheLastEventsUpToItsCapacity() {
    ActivityFeed feed = new ActivityFeed(3);
    for (int i = 1; i <= 5; i++) {
      feed.publish(event("e" + i));
    }
    assertThat(feed.last(10)).extracting(ActivityEvent::message).containsExactly("e3", "e4", "e5");
    assertThat(feed.last(2)).extracting(ActivityEvent::message).containsExactly("e4", "e5");
    assertThat(feed.lastEntries(1).get(0).id()).isEqualTo(5);
  }

  @Test
  void aSubscriberGetsNewEventsInOrder() throws Exception {
    ActivityFeed feed = new ActivityFeed();
    feed.publish(event("before"));
    try (ActivityFeed.Subscription subscription = feed.subscribe(Long.MAX_VALUE)) {
      feed.publish(event("one"));
      feed.publish(event("two"));
      assertThat(subscription.poll(Duration.ofSeconds(1)).event().message()).isEqualTo("one");
      assertThat(subscription.poll(Duration.ofSeconds(1)).event().message()).isEqualTo("two");
      assertThat(subscription.poll(Duration.ofMillis(10))).isNull();
    }
    assertThat(feed.subscribers()).isZero();
  }

  @Test
  void aSubscriberThatFallsBehindIsDroppedWithoutBlockingPublish() {
    ActivityFeed feed = new ActivityFeed();
    ActivityFeed.Subscription subscription = feed.subscribe(Long.MAX_VALUE);
    for (int i = 0; i <= ActivityFeed.SUBSCRIBER_QUEUE; i++) {
      feed.publish(event("e" + i));
    }
    assertThat(subscription.overflowed()).isTrue();
    assertThat(subscription.isClosed()).isTrue();
    assertThat(feed.subscribers()).isZero();
  }

  @Test
  void eventTypesAreAClosedUnion() {
    assertThatThrownBy(() -> new ActivityEvent(Instant.now(), "rule.exploded", "r", "boom"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'rule.exploded' is not an activity event type");
  }

  @Test
  void eventMessagesHaveCredentialsMasked() {
    ActivityEvent event =
        new ActivityEvent(
            Instant.now(), "error", "x", "failed: postgresql://u:secretpw@h/db?password=secretpw");
    assertThat(event.message()).doesNotContain("secretpw").contains("<masked>");
  }
}
