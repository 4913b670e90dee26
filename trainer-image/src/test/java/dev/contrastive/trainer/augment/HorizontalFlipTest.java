package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class HorizontalFlipTest {

  @Test
  void flipReversesTheColumns() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 2, 4, 1);

      NDArray flipped = new HorizontalFlip(1).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(flipped.getShape()).isEqualTo(images.getShape());
      assertThat(flipped.get("1, 2, 3, 0").getFloat()).isEqualTo(images.get("1, 2, 3, 3").getFloat());
      assertThat(flipped.get(":, :, :, 1").toFloatArray()).isEqualTo(images.get(":, :, :, 2").toFloatArray());
    }
  }

  @Test
  void probabilityZeroKeepsTheImages() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 3, 4, 2);
      NDArray out = new HorizontalFlip(0).apply(images, AugmentTesting.randoms(images, 1));
      assertThat(out.toFloatArray()).isEqualTo(images.toFloatArray());
    }
  }
}
