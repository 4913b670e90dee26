package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Who may join a gang: the rendezvous and the ring ports answer only processes that hold the run's
 * token, belong to the run and speak this protocol, and strangers (silent, garbage, wrong token)
 * neither join nor hold up the ranks that should.
 */
class RingHandshakeTest {

  private static final int BUCKET = 1 << 16;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static CompletableFuture<float[]> allReduceAs(WorkerEnvironment env) {
    return CompletableFuture.supplyAsync(() -> {
      try (ProcessGroup group = ProcessGroup.create(env, BUCKET, TIMEOUT, TIMEOUT)) {
        ByteBuffer data = ByteBuffer.allocateDirect(3 * Float.BYTES).order(ByteOrder.nativeOrder());
        data.asFloatBuffer().put(new float[] {env.rank() + 1, 10, 100});
        group.allReduce(data, false);
        float[] sums = new float[3];
        data.asFloatBuffer().get(sums);
        return sums;
      }
    }, runnable -> new Thread(runnable, "rank-" + env.rank()).start());
  }

  @Test
  void silentGarbledAndForgedConnectionsAtTheRingPortNeitherJoinNorHoldUpTheRing() throws Exception {
    int master = LocalGang.freePort();
    int dataPort = LocalGang.freePort();
    WorkerEnvironment rankOne = new WorkerEnvironment(1, 2, "127.0.0.1", master, LocalGang.TOKEN, "127.0.0.1", dataPort);
    CompletableFuture<float[]> one = allReduceAs(rankOne); // listens on dataPort, waits for rank 0
    List<Socket> strangers = new ArrayList<>();
    try {
      Socket silent = connectWhenListening(dataPort); // first in the accept queue, says nothing
      strangers.add(silent);
      Socket garbage = new Socket("127.0.0.1", dataPort);
      strangers.add(garbage);
      garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(3).getBytes(StandardCharsets.US_ASCII));
      Socket forged = new Socket("127.0.0.1", dataPort);
      strangers.add(forged);
      // the right magic, version and rank, but signed with a guessed token
      forged.getOutputStream().write(RingLinks.handshake(42L, 0, "guessed").array());

      CompletableFuture<float[]> zero = allReduceAs(LocalGang.environment(0, 2, master, LocalGang.TOKEN));

      assertThat(LocalGang.await(zero)).containsExactly(3f, 20f, 200f);
      assertThat(LocalGang.await(one)).containsExactly(3f, 20f, 200f);
    } finally {
      for (Socket stranger : strangers) {
        stranger.close();
      }
    }
  }

  @Test
  void aRankOfAnotherRunIsRefusedNamingBothRuns() {
    int master = LocalGang.freePort();
    CompletableFuture<float[]> zero = allReduceAs(new WorkerEnvironment(
        0, 2, "127.0.0.1", master, LocalGang.TOKEN, "127.0.0.1", 0, "5f3c-uid-a"));

    assertThatThrownBy(() -> ProcessGroup.create(new WorkerEnvironment(
            1, 2, "127.0.0.1", master, LocalGang.TOKEN, "127.0.0.1", 0, "77aa-uid-b"), BUCKET, TIMEOUT, TIMEOUT))
        .isInstanceOf(DistributedException.class)
        .hasMessage("rendezvous refused by rank 0 at 127.0.0.1:" + master
            + ": rank 1 belongs to run 77aa-uid-b, rank 0 to run 5f3c-uid-a");
    zero.cancel(true);
  }

  @Test
  void aJoiningProcessOfAnotherProtocolVersionIsRefusedAtOnce() throws Exception {
    int master = LocalGang.freePort();
    CompletableFuture<float[]> zero = allReduceAs(LocalGang.environment(0, 2, master, LocalGang.TOKEN));
    try (Socket old = connectWhenListening(master)) {
      old.setSoTimeout(10_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(old.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).matches("CHALLENGE 2 [0-9a-f]{32}");
      // what a trainer of protocol 1 sent: HELLO rank worldSize host dataPort token
      old.getOutputStream().write(("HELLO 1 2 127.0.0.1 29501 " + LocalGang.TOKEN + "\n").getBytes(StandardCharsets.UTF_8));

      assertThat(in.readLine()).isEqualTo("REFUSED the joining process speaks ring protocol 1, this trainer 2:"
          + " every rank must run the same trainer image");
    }
    zero.cancel(true);
  }

  @Test
  void rankZeroOfAnotherProtocolVersionIsNamedAtOnce() throws Exception {
    try (ServerSocket newer = new ServerSocket(0)) {
      Thread greeter = new Thread(() -> {
        try (Socket peer = newer.accept(); OutputStream out = peer.getOutputStream()) {
          out.write("CHALLENGE 3 00ff\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          peer.getInputStream().read(); // until the rank gives up
        } catch (IOException ignored) {
          // the test is over
        }
      });
      greeter.setDaemon(true);
      greeter.start();
      long start = System.nanoTime();

      assertThatThrownBy(() -> ProcessGroup.create(
              LocalGang.environment(1, 2, newer.getLocalPort(), LocalGang.TOKEN), BUCKET, TIMEOUT, TIMEOUT))
          .isInstanceOf(DistributedException.class)
          .hasMessage("rendezvous: rank 0 at 127.0.0.1:" + newer.getLocalPort()
              + " speaks ring protocol 3, this trainer 2: every rank must run the same trainer image");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.dividedBy(2));
    }
  }

  @Test
  void silentAndGarbageConnectionsAtTheRendezvousDoNotStopTheGang() throws Exception {
    int master = LocalGang.freePort();
    CompletableFuture<float[]> zero = allReduceAs(LocalGang.environment(0, 2, master, LocalGang.TOKEN));
    try (Socket silent = connectWhenListening(master); Socket garbage = new Socket("127.0.0.1", master)) {
      byte[] noNewline = new byte[4096];
      java.util.Arrays.fill(noNewline, (byte) 0x7f);
      garbage.getOutputStream().write(noNewline);
      CompletableFuture<float[]> one = allReduceAs(LocalGang.environment(1, 2, master, LocalGang.TOKEN));

      assertThat(LocalGang.await(zero)).containsExactly(3f, 20f, 200f);
      assertThat(LocalGang.await(one)).containsExactly(3f, 20f, 200f);
    }
  }

  static Socket connectWhenListening(int port) {
    return await("something listens on " + port).atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
        .ignoreExceptions().until(() -> new Socket("127.0.0.1", port), Objects::nonNull);
  }
}
