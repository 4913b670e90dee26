package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class ColorJitterTest {

  @Test
  void strengthZeroIsTheIdentity() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 4, 8, 4);

      NDArray out = new ColorJitter(1, 0).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(out.getShape()).isEqualTo(images.getShape());
      assertThat(out.toFloatArray()).isEqualTo(images.toFloatArray());
    }
  }

  @Test
  void jitteredImagesChangeAndStayInTheUnitRange() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 4, 8, 4);

      NDArray out = new ColorJitter(1, 1).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(out.toFloatArray()).isNotEqualTo(images.toFloatArray());
      assertThat(out.min().getFloat()).isGreaterThanOrEqualTo(0f);
      assertThat(out.max().getFloat()).isLessThanOrEqualTo(1f);
    }
  }

  @Test
  void aHueShiftKeepsGreyPixelsGrey() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray grey = manager.full(new ai.djl.ndarray.types.Shape(2, 3, 4, 4), 0.5f);

      NDArray out = new ColorJitter(1, 1).apply(grey, AugmentTesting.randoms(grey, 2));

      // Chroma rotation and saturation cannot colour a grey pixel: channels stay equal.
      float[] r = out.get(":, 0").toFloatArray();
      float[] g = out.get(":, 1").toFloatArray();
      for (int i = 0; i < r.length; i++) {
        assertThat(Math.abs(r[i] - g[i])).isLessThan(1e-4f);
      }
    }
  }
}
