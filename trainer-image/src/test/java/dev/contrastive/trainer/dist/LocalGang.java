package dev.contrastive.trainer.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** A gang of ranks as threads of this JVM, each with its own sockets on 127.0.0.1. */
final class LocalGang {

  static final String TOKEN = "test-token";
  /** Generous: only a failing test waits it out, and a loaded machine starts threads slowly. */
  static final Duration RENDEZVOUS_TIMEOUT = Duration.ofSeconds(60);
  static final Duration PEER_TIMEOUT = Duration.ofSeconds(10);

  private LocalGang() {}

  static WorkerEnvironment environment(int rank, int worldSize, int masterPort, String token) {
    return new WorkerEnvironment(rank, worldSize, "127.0.0.1", masterPort, token, "127.0.0.1", 0);
  }

  /** Runs {@code body} on every rank of a new group; returns the results in rank order. */
  static <T> List<T> run(int worldSize, int bucketBytes, Function<ProcessGroup, T> body) {
    return awaitAll(start(worldSize, bucketBytes, RENDEZVOUS_TIMEOUT, PEER_TIMEOUT, body));
  }

  /** As {@link #run}, also handing each rank the gang's rendezvous port (for sub-groups). */
  static <T> List<T> runWithPort(
      int worldSize, int bucketBytes, java.util.function.BiFunction<ProcessGroup, Integer, T> body) {
    int port = freePort();
    return awaitAll(startOn(port, worldSize, bucketBytes, RENDEZVOUS_TIMEOUT, PEER_TIMEOUT,
        group -> body.apply(group, port)));
  }

  private static <T> List<T> awaitAll(List<CompletableFuture<T>> futures) {
    List<T> results = new ArrayList<>();
    for (CompletableFuture<T> future : futures) {
      results.add(await(future));
    }
    return results;
  }

  static <T> List<CompletableFuture<T>> start(
      int worldSize, int bucketBytes, Duration rendezvousTimeout, Duration peerTimeout,
      Function<ProcessGroup, T> body) {
    return startOn(freePort(), worldSize, bucketBytes, rendezvousTimeout, peerTimeout, body);
  }

  private static <T> List<CompletableFuture<T>> startOn(
      int port, int worldSize, int bucketBytes, Duration rendezvousTimeout, Duration peerTimeout,
      Function<ProcessGroup, T> body) {
    List<CompletableFuture<T>> futures = new ArrayList<>();
    for (int rank = 0; rank < worldSize; rank++) {
      WorkerEnvironment env = environment(rank, worldSize, port, TOKEN);
      futures.add(CompletableFuture.supplyAsync(() -> {
        try (ProcessGroup group =
            ProcessGroup.create(env, bucketBytes, rendezvousTimeout, peerTimeout)) {
          return body.apply(group);
        }
      }, runnable -> new Thread(runnable, "rank-" + env.rank()).start()));
    }
    return futures;
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("a rank did not finish", e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
