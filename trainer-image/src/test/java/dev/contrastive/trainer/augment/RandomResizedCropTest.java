package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {

  @Test
  void fullScaleCropAtTheSameSizeIsTheIdentity() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 3, 8, 5);

      NDArray out = new RandomResizedCrop(1, 1, 8).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(out.toFloatArray()).isEqualTo(images.toFloatArray());
    }
  }

  @Test
  void cropsAreResizedToTheOutputSizeWithinTheInputRange() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 5, 32, 5);

      NDArray out = new RandomResizedCrop(0.08, 1, 16).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(out.getShape().getShape()).containsExactly(5, 3, 16, 16);
      // Bilinear weights are convex: no value outside the input's range.
      assertThat(out.min().getFloat()).isGreaterThanOrEqualTo(images.min().getFloat() - 1e-6f);
      assertThat(out.max().getFloat()).isLessThanOrEqualTo(images.max().getFloat() + 1e-6f);
    }
  }

  @Test
  void aSmallCropMagnifiesAPartOfTheImage() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // Left half black, right half white: a small crop is mostly uniform, unlike the input.
      NDArray images = manager.zeros(new ai.djl.ndarray.types.Shape(64, 3, 32, 32));
      images.set(new ai.djl.ndarray.index.NDIndex(":, :, :, 16:"), 1f);

      NDArray out = new RandomResizedCrop(0.05, 0.05, 32).apply(images, AugmentTesting.randoms(images, 3));

      NDArray perImageMean = out.reshape(64, -1).mean(new int[] {1});
      float[] means = perImageMean.toFloatArray();
      int uniform = 0;
      for (float m : means) {
        if (m < 0.01f || m > 0.99f) {
          uniform++;
        }
      }
      // About 7x7 crops: most miss the edge at column 16; the whole image is never uniform.
      assertThat(uniform).isGreaterThan(means.length * 2 / 5);
    }
  }
}
