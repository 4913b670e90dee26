package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class GaussianBlurTest {

  @Test
  void blurSmoothsNoiseAndKeepsTheMean() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 4, 64, 6);

      NDArray out = new GaussianBlur(1).apply(images, AugmentTesting.randoms(images, 1));

      assertThat(out.getShape()).isEqualTo(images.getShape());
      assertThat(out.mean().getFloat()).isCloseTo(images.mean().getFloat(), within(1e-3f));
      float inputSpread = images.sub(images.mean()).square().mean().getFloat();
      float outputSpread = out.sub(out.mean()).square().mean().getFloat();
      assertThat(outputSpread).isLessThan(inputSpread);
    }
  }

  @Test
  void probabilityZeroKeepsTheImages() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray images = AugmentTesting.randomImages(manager, 2, 64, 6);
      NDArray out = new GaussianBlur(0).apply(images, AugmentTesting.randoms(images, 1));
      assertThat(out.toFloatArray()).isEqualTo(images.toFloatArray());
    }
  }
}
