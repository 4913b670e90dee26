package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RendezvousTest {

  private static final int BUCKET = 1 << 16;
  private static final Duration SHORT = Duration.ofSeconds(2);

  private static CompletableFuture<ProcessGroup> join(WorkerEnvironment env, Duration timeout) {
    return CompletableFuture.supplyAsync(
        () -> ProcessGroup.create(env, BUCKET, timeout, LocalGang.PEER_TIMEOUT),
        runnable -> new Thread(runnable, "rank-" + env.rank()).start());
  }

  @Test
  void wrongTokenIsRefusedWithAClearMessage() {
    int port = LocalGang.freePort();
    CompletableFuture<ProcessGroup> rankZero =
        join(LocalGang.environment(0, 2, port, LocalGang.TOKEN), SHORT.multipliedBy(3));

    assertThatThrownBy(() -> ProcessGroup.create(
            LocalGang.environment(1, 2, port, "guessed"), BUCKET, SHORT.multipliedBy(3),
            LocalGang.PEER_TIMEOUT))
        .isInstanceOf(DistributedException.class)
        .hasMessage("rendezvous refused by rank 0 at 127.0.0.1:" + port + ": wrong token");
    assertThatThrownBy(() -> LocalGang.await(rankZero))
        .hasMessageContaining("ranks [1] never arrived");
  }

  @Test
  void duplicateRankIsRefused() {
    int port = LocalGang.freePort();
    Duration timeout = SHORT.multipliedBy(2);
    join(LocalGang.environment(0, 3, port, LocalGang.TOKEN), timeout);
    List<CompletableFuture<ProcessGroup>> twins = List.of(
        join(LocalGang.environment(1, 3, port, LocalGang.TOKEN), timeout),
        join(LocalGang.environment(1, 3, port, LocalGang.TOKEN), timeout));

    List<String> errors = twins.stream().map(RendezvousTest::errorOf).toList();
    assertThat(errors).anySatisfy(error -> assertThat(error)
        .startsWith("rendezvous refused by rank 0")
        .contains("rank 1 has already joined from 127.0.0.1"));
  }

  private static String errorOf(CompletableFuture<ProcessGroup> rank) {
    try {
      LocalGang.await(rank);
      return "joined";
    } catch (DistributedException e) {
      return e.getMessage();
    }
  }

  @Test
  void mismatchedWorldSizeIsRefused() {
    int port = LocalGang.freePort();
    join(LocalGang.environment(0, 2, port, LocalGang.TOKEN), SHORT.multipliedBy(3));

    assertThatThrownBy(() -> ProcessGroup.create(
            LocalGang.environment(1, 3, port, LocalGang.TOKEN), BUCKET, SHORT.multipliedBy(3),
            LocalGang.PEER_TIMEOUT))
        .hasMessageContaining("world size 3 does not match rank 0's 2");
  }

  @Test
  void timesOutCleanlyWhenARankNeverComes() {
    int port = LocalGang.freePort();
    long start = System.nanoTime();
    CompletableFuture<ProcessGroup> rankZero =
        join(LocalGang.environment(0, 3, port, LocalGang.TOKEN), SHORT);
    CompletableFuture<ProcessGroup> rankOne =
        join(LocalGang.environment(1, 3, port, LocalGang.TOKEN), SHORT);

    for (CompletableFuture<ProcessGroup> rank : List.of(rankZero, rankOne)) {
      assertThatThrownBy(() -> LocalGang.await(rank))
          .isInstanceOf(DistributedException.class)
          .hasMessageContaining("rendezvous timed out after 2 s: ranks [2] never arrived");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30)); // ended, not hung
  }

  @Test
  void timesOutCleanlyWhenRankZeroIsNotThere() {
    int port = LocalGang.freePort();

    assertThatThrownBy(() -> ProcessGroup.create(
            LocalGang.environment(1, 2, port, LocalGang.TOKEN), BUCKET, SHORT,
            LocalGang.PEER_TIMEOUT))
        .hasMessageStartingWith(
            "rendezvous timed out after 2 s: could not reach rank 0 at 127.0.0.1:" + port);
  }
}
