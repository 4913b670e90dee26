package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Per-channel {@code (x - mean) / std} of float (N, 3, H, W) images. */
public final class Normalize {

  private final float[] mean;
  private final float[] std;

  public Normalize(float[] mean, float[] std) {
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("mean and std need one value per RGB channel");
    }
    this.mean = mean.clone();
    this.std = std.clone();
  }

  public NDArray apply(NDArray images) {
    try (NDArray m = images.getManager().create(mean, new Shape(1, 3, 1, 1));
        NDArray s = images.getManager().create(std, new Shape(1, 3, 1, 1));
        NDArray centred = images.sub(m)) {
      return centred.div(s);
    }
  }
}
