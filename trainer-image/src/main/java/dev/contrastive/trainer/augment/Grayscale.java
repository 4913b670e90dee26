package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Luma (ITU-R 601 weights, as torchvision) of float (N, 3, H, W) images, shape (N, 1, H, W). */
final class Grayscale {

  static final float[] WEIGHTS = {0.2989f, 0.587f, 0.114f};

  private Grayscale() {}

  static NDArray luma(NDArray images) {
    try (NDArray weights = images.getManager().create(WEIGHTS, new Shape(1, 3, 1, 1));
        NDArray weighted = images.mul(weights)) {
      return weighted.sum(new int[] {1}, true);
    }
  }
}
