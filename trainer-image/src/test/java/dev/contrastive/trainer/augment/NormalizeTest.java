package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class NormalizeTest {

  @Test
  void normalisingWithTheDataStatisticsGivesZeroMeanUnitStd() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 8, 16, 7).mul(0.5f).add(0.2f);
      NDArray channels = perChannel(images);
      float[] mean = channels.mean(new int[] {1}).toFloatArray();
      float[] std = channels.sub(channels.mean(new int[] {1}, true)).square().mean(new int[] {1}).sqrt()
          .toFloatArray();

      NDArray out = new Normalize(mean, std).apply(images);

      assertThat(out.getShape()).isEqualTo(images.getShape());
      float[] outMean = perChannel(out).mean(new int[] {1}).toFloatArray();
      float[] outVar = perChannel(out).square().mean(new int[] {1}).toFloatArray();
      for (int c = 0; c < 3; c++) {
        assertThat(outMean[c]).isCloseTo(0f, within(1e-4f));
        assertThat(outVar[c]).isCloseTo(1f, within(1e-3f));
      }
    }
  }

  /** (3, N*H*W): one row per channel. */
  private static NDArray perChannel(NDArray images) {
    return images.transpose(1, 0, 2, 3).reshape(3, -1);
  }
}
