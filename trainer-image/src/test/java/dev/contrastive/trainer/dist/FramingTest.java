package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Every collective starts with a frame header: ranks that disagree about the collective (another
 * build, another config) fail at once with one line naming both sides instead of mixing bytes, long
 * before the peer timeout.
 */
class FramingTest {

  private static final int BUCKET = 1 << 16;
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void ranksRunningDifferentCollectivesFailAtOnceNamingBoth() {
    long start = System.nanoTime();
    List<String> errors = errors(LocalGang.start(2, BUCKET, LocalGang.RENDEZVOUS_TIMEOUT, LONG, group -> {
      if (group.rank() == 0) {
        group.allGather(new double[] {1, 2});
      } else {
        group.barrier();
      }
      return "no error";
    }));

    assertThat(errors.get(0)).isEqualTo("rank 1 (127.0.0.1:" + port(errors.get(0)) + ") runs barrier #1 of 16 bytes"
        + " while this rank runs all-gather #1 of 32 bytes: every rank must call the same collectives in the same"
        + " order (same trainer image and config)");
    assertThat(errors.get(1)).startsWith("rank 0 (127.0.0.1:").contains(" runs all-gather #1 of 32 bytes while this rank"
        + " runs barrier #1 of 16 bytes");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG);
  }

  @Test
  void buffersOfDifferentLengthsFailAtOnce() {
    List<String> errors = errors(LocalGang.start(2, BUCKET, LocalGang.RENDEZVOUS_TIMEOUT, LONG, group -> {
      int floats = group.rank() == 0 ? 1000 : 999; // e.g. a model of another width on rank 1
      group.allReduce(ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()), true);
      return "no error";
    }));

    assertThat(errors.get(0)).contains("runs all-reduce #1 of 3996 bytes while this rank runs all-reduce #1 of 4000 bytes");
    assertThat(errors.get(1)).contains("runs all-reduce #1 of 4000 bytes while this rank runs all-reduce #1 of 3996 bytes");
  }

  @Test
  void garbageFromThePreviousRankFailsTheCollectiveAtOnce() throws Exception {
    try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        SocketChannel previousEnd = SocketChannel.open(listener.getLocalAddress());
        SocketChannel fromPrevious = listener.accept();
        SocketChannel nextEnd = SocketChannel.open(listener.getLocalAddress());
        SocketChannel toNext = listener.accept()) {
      RankAddress previous = new RankAddress(0, "127.0.0.1", 29501);
      RankAddress next = new RankAddress(2, "127.0.0.1", 29503);
      try (RingLinks links = RingLinks.of(toNext, fromPrevious, next, previous);
          RingTransfer transfer = new RingTransfer(links, LONG)) {
        previousEnd.write(ByteBuffer.wrap("GARBAGE, NOT A HEADER AT ALL, 40B".getBytes(StandardCharsets.US_ASCII)));
        RingPlan lastOfABroadcastChain = RingPlan.broadcast(2, 3, 8);

        assertThatThrownBy(() -> transfer.run(lastOfABroadcastChain, ByteBuffer.allocate(8), "broadcast"))
            .isInstanceOf(DistributedException.class)
            .hasMessage("rank 0 (127.0.0.1:29501) sent 0x47415242 where a ring frame header belongs, at the start of"
                + " broadcast #1: it speaks another protocol, or the ranks' streams are out of step");
      }
    }
  }

  private static String port(String error) {
    return error.substring(error.indexOf(':') + 1, error.indexOf(')'));
  }

  private static List<String> errors(List<CompletableFuture<String>> ranks) {
    return ranks.stream().map(rank -> {
      try {
        return LocalGang.await(rank);
      } catch (DistributedException e) {
        return e.getMessage();
      }
    }).toList();
  }
}
