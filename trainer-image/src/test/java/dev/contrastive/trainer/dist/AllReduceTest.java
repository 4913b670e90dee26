package dev.contrastive.trainer.dist;

import static dev.contrastive.trainer.dist.AllReduceData.floats;
import static dev.contrastive.trainer.dist.AllReduceData.integers;
import static dev.contrastive.trainer.dist.AllReduceData.integersSum;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllReduceTest {

  private static final int SMALL_BUCKET = 64 * 1024;

  @ParameterizedTest(name = "{0} ranks, {1} floats, bucket {2} B")
  @CsvSource({
    "2, 1, 65536", "3, 1, 65536", "4, 1, 65536",
    "2, 7, 65536", "3, 7, 65536", "4, 5, 65536",
    "3, 100003, 65536", "4, 250001, 65536",
    "3, 2000003, 4194304", "4, 2000003, 4194304",
    "2, 26214400, 4194304"
  })
  void sumEqualsTheSumComputedInOnePlaceOnEveryRank(int world, int floats, int bucket) {
    List<float[]> results = LocalGang.run(world, bucket, group -> {
      ByteBuffer data = integers(group.rank(), floats);
      group.allReduce(data, false);
      return floats(data);
    });

    float[] expected = integersSum(world, floats);
    for (float[] result : results) {
      assertThat(result).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0} ranks")
  @CsvSource({"2", "3", "4"})
  void averageOfRandomFloatsIsBitIdenticalOnEveryRank(int world) {
    int floats = 30_001;
    List<float[]> results = LocalGang.run(world, SMALL_BUCKET, group -> {
      ByteBuffer data = ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder());
      SplittableRandom random = new SplittableRandom(group.rank());
      for (int i = 0; i < floats; i++) {
        data.putFloat(i * 4, (float) random.nextGaussian());
      }
      group.allReduce(data, true);
      return floats(data);
    });

    double[] mean = new double[floats];
    for (int rank = 0; rank < world; rank++) {
      SplittableRandom random = new SplittableRandom(rank);
      for (int i = 0; i < floats; i++) {
        mean[i] += (float) random.nextGaussian() / (double) world;
      }
    }
    for (float[] result : results) {
      assertThat(result).isEqualTo(results.get(0));
    }
    for (int i = 0; i < floats; i++) {
      assertThat((double) results.get(0)[i]).isCloseTo(mean[i], org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @ParameterizedTest(name = "{0} ranks")
  @CsvSource({"2", "3"})
  void reducesOnlyBetweenPositionAndLimit(int world) {
    List<float[]> results = LocalGang.run(world, SMALL_BUCKET, group -> {
      ByteBuffer data = ByteBuffer.allocateDirect(5 * 4).order(ByteOrder.nativeOrder());
      for (int i = 0; i < 5; i++) {
        data.putFloat(i * 4, 1f);
      }
      data.position(4).limit(16);
      group.allReduce(data, false);
      return floats(data);
    });

    float w = world;
    assertThat(results).allSatisfy(r -> assertThat(r).containsExactly(1f, w, w, w, 1f));
  }
}
