package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmallCollectivesTest {

  private static final int BUCKET = 1 << 20;

  @ParameterizedTest(name = "{0} ranks, {1} bytes")
  @CsvSource({"2, 1", "3, 4099", "4, 3000001"})
  void broadcastGivesEveryRankRankZerosBytes(int world, int bytes) {
    byte[] rankZero = new byte[bytes];
    new SplittableRandom(42).nextBytes(rankZero);

    List<byte[]> results = LocalGang.run(world, BUCKET, group -> {
      ByteBuffer data = ByteBuffer.allocateDirect(bytes);
      if (group.rank() == 0) {
        data.put(rankZero).flip();
      }
      group.broadcast(data);
      byte[] copy = new byte[bytes];
      data.get(0, copy);
      return copy;
    });

    assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(rankZero));
  }

  @ParameterizedTest(name = "{0} ranks")
  @CsvSource({"2", "3", "4"})
  void allGatherReturnsEveryRanksValuesInRankOrder(int world) {
    List<double[][]> results = LocalGang.run(world, BUCKET,
        group -> group.allGather(new double[] {group.rank(), 0.5 * group.rank(), -1}));

    for (double[][] gathered : results) {
      assertThat(gathered).hasNumberOfRows(world);
      for (int rank = 0; rank < world; rank++) {
        assertThat(gathered[rank]).containsExactly(rank, 0.5 * rank, -1);
      }
    }
  }

  @Test
  void barrierReturnsOnlyAfterTheLastRankArrives() {
    long lateArrival = 400;
    List<long[]> times = LocalGang.run(3, BUCKET, group -> {
      if (group.rank() == 2) {
        sleep(lateArrival);
      }
      long entered = System.nanoTime();
      group.barrier();
      return new long[] {entered, System.nanoTime()};
    });

    long lastEntered = times.get(2)[0];
    assertThat(times).allSatisfy(t -> assertThat(t[1]).isGreaterThanOrEqualTo(lastEntered));
  }

  @Test
  void singleProcessCollectivesAreIdentities() {
    ProcessGroup group = ProcessGroup.create(WorkerEnvironment.single(), BUCKET,
        LocalGang.RENDEZVOUS_TIMEOUT, LocalGang.PEER_TIMEOUT);
    ByteBuffer data = ByteBuffer.allocateDirect(4).putFloat(0, 3f);
    group.allReduce(data, true);
    group.barrier();

    assertThat(data.getFloat(0)).isEqualTo(3f);
    assertThat(group.allGather(new double[] {1, 2})).isEqualTo(new double[][] {{1, 2}});
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
