package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;

/** Bilinear resize of whole images to a square size: the evaluation view of an image. */
public final class Resize {

  private final int outSize;

  public Resize(int outSize) {
    this.outSize = outSize;
  }

  /** Float (N, 3, H, W) to (N, 3, outSize, outSize); returns the input when no resize is needed. */
  public NDArray apply(NDArray images) {
    int n = (int) images.getShape().get(0);
    int height = (int) images.getShape().get(2);
    int width = (int) images.getShape().get(3);
    if (height == outSize && width == outSize) {
      return images;
    }
    float[] rows = new float[n * outSize * height];
    float[] columns = new float[n * outSize * width];
    for (int i = 0; i < n; i++) {
      SeparableResample.bilinear(rows, i * outSize * height, height, 0, height, outSize);
      SeparableResample.bilinear(columns, i * outSize * width, width, 0, width, outSize);
    }
    return SeparableResample.apply(images, rows, outSize, columns, outSize);
  }
}
