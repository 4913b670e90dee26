package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class RandomGrayscaleTest {

  @Test
  void greyImagesHaveEqualChannelsHoldingTheLuma() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 2, 4, 3);

      NDArray grey = new RandomGrayscale(1).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(grey.getShape()).isEqualTo(images.getShape());
      assertThat(grey.get(":, 0").toFloatArray()).isEqualTo(grey.get(":, 1").toFloatArray());
      assertThat(grey.get(":, 0").toFloatArray()).isEqualTo(grey.get(":, 2").toFloatArray());
      float r = images.get("0, 0, 1, 2").getFloat();
      float g = images.get("0, 1, 1, 2").getFloat();
      float b = images.get("0, 2, 1, 2").getFloat();
      assertThat(grey.get("0, 0, 1, 2").getFloat()).isCloseTo(0.2989f * r + 0.587f * g + 0.114f * b, within(1e-5f));
    }
  }

  @Test
  void probabilityZeroKeepsColour() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 2, 4, 3);
      NDArray out = new RandomGrayscale(0).apply(images, AugmentTesting.randoms(images, 1));
      assertThat(out.toFloatArray()).isEqualTo(images.toFloatArray());
    }
  }
}
