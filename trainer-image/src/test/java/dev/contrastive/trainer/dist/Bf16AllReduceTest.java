package dev.contrastive.trainer.dist;

import static dev.contrastive.trainer.dist.AllReduceData.floats;
import static dev.contrastive.trainer.dist.AllReduceData.gaussians;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ring all-reduce with bf16 on the wire: within bf16 rounding of the exact sum, same bits everywhere. */
class Bf16AllReduceTest {

  /** bf16's unit roundoff: nearest-even rounding errs by at most 2^-8 of the value (relative). */
  private static final double ROUNDOFF = 0x1p-8;

  @ParameterizedTest(name = "{0} ranks, {1} floats, average {2}")
  @CsvSource({"2, 30001, false", "3, 30001, false", "2, 1000003, true", "3, 1000003, true", "3, 2, false"})
  void resultIsTheExactSumWithinBf16RoundingAndBitIdenticalOnEveryRank(int world, int floats, boolean average) {
    List<float[]> results = LocalGang.run(world, 1 << 20, group -> {
      ByteBuffer data = gaussians(group.rank(), floats);
      group.allReduceBf16(data, average);
      return floats(data);
    });

    for (float[] result : results) {
      assertThat(result).isEqualTo(results.get(0));
    }
    float[] result = results.get(0);
    float[][] inputs = new float[world][];
    for (int rank = 0; rank < world; rank++) {
      inputs[rank] = floats(gaussians(rank, floats));
    }
    for (int i = 0; i < floats; i++) {
      double exact = 0;
      double magnitude = 0;
      for (int rank = 0; rank < world; rank++) {
        float x = inputs[rank][i];
        exact += x;
        magnitude += Math.abs(x);
      }
      double scale = average ? 1.0 / world : 1.0;
      // one rounding when the first rank packs its value, one per hop after an add: world in all,
      // each off by at most 2^-8 of a partial sum no larger than the sum of magnitudes
      double bound = world * ROUNDOFF * magnitude * scale;
      assertThat((double) result[i]).as("element %d", i).isCloseTo(exact * scale, org.assertj.core.data.Offset.offset(bound));
      assertThat(Float.floatToRawIntBits(result[i]) & 0xffff).as("element %d is a bf16 value", i).isZero();
    }
  }

  @Test
  void partialSumsAreRoundedToNearestEvenOnEachHop() {
    // 1 + 2^-8 lies halfway between bf16 1 and 1 + 2^-7: ties go to the even one, 1;
    // 1 + 3 x 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: ties go to 1 + 2^-6
    List<float[]> results = LocalGang.run(2, 1 << 16, group -> {
      ByteBuffer data = ByteBuffer.allocateDirect(2 * Float.BYTES).order(java.nio.ByteOrder.nativeOrder());
      if (group.rank() == 0) {
        data.putFloat(0, 1f).putFloat(4, 1f);
      } else {
        data.putFloat(0, 0x1p-8f).putFloat(4, 3 * 0x1p-8f);
      }
      group.allReduceBf16(data, false);
      return floats(data);
    });

    assertThat(results).allSatisfy(r -> assertThat(r).containsExactly(1f, 1f + 0x1p-6f));
  }

  @Test
  void roundingKeepsInfinityAndNaN() {
    assertThat(Bf16.widen(Bf16.round(Float.POSITIVE_INFINITY))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Bf16.widen(Bf16.round(Float.NaN))).isNaN();
    assertThat(Bf16.widen(Bf16.round(-1.00390625f))).isEqualTo(-1f);
    assertThat(Bf16.widen(Bf16.round(Float.MAX_VALUE))).isEqualTo(Float.POSITIVE_INFINITY);
  }
}
