package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PeerFailureTest {

  private static final int BUCKET = 1 << 20;
  /** Generous: a dead rank is seen by its closed connection long before; the messages tell which. */
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Every rank all-reduces 8 MB in a loop; rank 1's sockets are closed while the others are inside
   * an all-reduce (as when its process dies).
   */
  private static List<CompletableFuture<Object>> gangWhereRankOneDies(int world, long[] killedAt) {
    AtomicReference<ProcessGroup> rankOne = new AtomicReference<>();
    CountDownLatch running = new CountDownLatch(world);
    List<CompletableFuture<Object>> ranks = LocalGang.start(world, BUCKET,
        LocalGang.RENDEZVOUS_TIMEOUT, PEER_TIMEOUT, group -> {
          if (group.rank() == 1) {
            rankOne.set(group);
          }
          ByteBuffer data = ByteBuffer.allocateDirect(8 << 20);
          for (int i = 0; ; i++) {
            group.allReduce(data, true);
            if (i == 1) {
              running.countDown();
            }
          }
        });
    await(running);
    killedAt[0] = System.nanoTime();
    rankOne.get().close();
    return ranks;
  }

  @Test
  void survivorNamesTheDeadRankWithinTheTimeout() {
    long[] killedAt = new long[1];
    List<CompletableFuture<Object>> ranks = gangWhereRankOneDies(2, killedAt);

    assertThatThrownBy(() -> LocalGang.await(ranks.get(0)))
        .isInstanceOf(DistributedException.class)
        .hasMessageMatching(".*rank 1 \\(127\\.0\\.0\\.1:\\d+\\).* during all-reduce.*")
        .hasMessageContaining("the connection"); // not "sent nothing for": the timeout did not decide
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt[0])).isLessThan(PEER_TIMEOUT);
  }

  @Test
  void everyRankFailsWithinTheTimeoutWhenOneDiesInALargerRing() {
    long[] killedAt = new long[1];
    List<CompletableFuture<Object>> ranks = gangWhereRankOneDies(4, killedAt);

    for (int rank : new int[] {0, 2, 3}) {
      assertThatThrownBy(() -> LocalGang.await(ranks.get(rank)))
          .isInstanceOf(DistributedException.class)
          .hasMessageMatching(".*rank \\d \\(127\\.0\\.0\\.1:\\d+\\).* during all-reduce.*");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt[0]))
        .isLessThan(PEER_TIMEOUT.plusSeconds(10));
    // The failure cascades around the ring, so a rank may name the neighbour that failed before
    // it; but the first rank to fail is a neighbour of rank 1 (0 or 2) and names rank 1 itself.
    assertThat(List.of(failureOf(ranks.get(0)), failureOf(ranks.get(2))))
        .anyMatch(message -> message.contains("rank 1 (127.0.0.1:"));
  }

  private static String failureOf(CompletableFuture<Object> rank) {
    try {
      LocalGang.await(rank);
      throw new AssertionError("the rank did not fail");
    } catch (DistributedException e) {
      return e.getMessage();
    }
  }

  @Test
  void aStalledRankIsNamedAfterThePeerTimeout() {
    Duration timeout = Duration.ofMillis(800);
    CountDownLatch released = new CountDownLatch(1);
    long start = System.nanoTime();
    List<CompletableFuture<Object>> ranks = LocalGang.start(2, BUCKET,
        LocalGang.RENDEZVOUS_TIMEOUT, timeout, group -> {
          if (group.rank() == 1) {
            await(released); // alive but never joins the collective, until rank 0 has given up
            return null;
          }
          group.allReduce(ByteBuffer.allocateDirect(1 << 20), false);
          return null;
        });

    try {
      assertThatThrownBy(() -> LocalGang.await(ranks.get(0)))
          .hasMessageMatching(
              "rank 1 \\(127\\.0\\.0\\.1:\\d+\\) sent nothing for 800 ms during all-reduce.*");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(timeout, Duration.ofSeconds(60));
    } finally {
      released.countDown();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
