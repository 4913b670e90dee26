package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrefetcherTest {

  /** An item that records whether it was closed. */
  static final class Item implements AutoCloseable {
    final int index;
    volatile boolean closed;

    Item(int index) {
      this.index = index;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void handsOutItemsInOrder() {
    List<Integer> order = new ArrayList<>();
    try (Prefetcher<Item> items = new Prefetcher<>(20, Item::new, 4, 3)) {
      while (items.hasNext()) {
        order.add(items.next().index);
      }
    }
    assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
  }

  @Test
  void makesAtMostDepthItemsAhead() {
    AtomicInteger made = new AtomicInteger();
    try (Prefetcher<Item> items = new Prefetcher<>(100, i -> new Item(made.incrementAndGet()), 2, 3)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> made.get() == 3);
      items.next();
      await().atMost(Duration.ofSeconds(5)).until(() -> made.get() == 4);
      assertThat(made.get()).isEqualTo(4);
    }
  }

  @Test
  void rethrowsTheWorkersErrorForItsItem() {
    try (Prefetcher<Item> items =
        new Prefetcher<>(5, i -> {
          if (i == 2) {
            throw new DataException("bad.png: not a readable JPEG or PNG image");
          }
          return new Item(i);
        }, 2, 2)) {
      items.next();
      items.next();
      assertThatThrownBy(items::next)
          .isInstanceOf(DataException.class)
          .hasMessage("bad.png: not a readable JPEG or PNG image");
    }
  }

  @Test
  void closeReleasesUnconsumedItemsAndStopsItsThreads() {
    List<Item> made = new CopyOnWriteArrayList<>();
    Prefetcher<Item> items = new Prefetcher<>(50, i -> {
      Item item = new Item(i);
      made.add(item);
      return item;
    }, 2, 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> made.size() == 4);

    items.close();

    assertThat(made).allMatch(item -> item.closed);
    // Every test closes its prefetcher, so no loader thread may outlive close() for long.
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("batch-loader-") && t.isAlive()));
  }

  @Test
  void aLoaderSlowerThanTheStepShowsAsWaitAndAFastOneAsNearZero() throws InterruptedException {
    // slow: each item takes 60 ms to make and the consumer takes it at once, so after the first
    // `depth` items every next() waits out most of a producer's 60 ms
    long slowWait = 0;
    try (Prefetcher<Item> items = new Prefetcher<>(6, i -> {
      sleep(60);
      return new Item(i);
    }, 1, 2)) {
      while (items.hasNext()) {
        items.next();
        slowWait += items.lastWaitNanos();
      }
    }
    assertThat(slowWait).isGreaterThan(Duration.ofMillis(200).toNanos());

    // fast: items are made instantly while the consumer "trains" 40 ms on each; once the pool has
    // run ahead, no next() blocks
    List<Long> fastWaits = new ArrayList<>();
    try (Prefetcher<Item> items = new Prefetcher<>(6, Item::new, 1, 2)) {
      while (items.hasNext()) {
        items.next();
        fastWaits.add(items.lastWaitNanos());
        Thread.sleep(40);
      }
    }
    assertThat(fastWaits.subList(1, fastWaits.size()))
        .allSatisfy(w -> assertThat(w).isLessThan(Duration.ofMillis(10).toNanos()));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
