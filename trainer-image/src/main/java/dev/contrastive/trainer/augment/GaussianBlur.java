package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * With probability {@code probability}, blurs an image with a Gaussian of sigma drawn from [0.1,
 * 2.0] and an odd kernel about a tenth of the image side (SimCLR's ImageNet setting), reflecting
 * at the borders. Runs as a separable per-image matrix product; the others pass unchanged.
 */
public final class GaussianBlur implements BatchAugmentation {

  static final double SIGMA_MIN = 0.1;
  static final double SIGMA_MAX = 2.0;

  private final double probability;

  public GaussianBlur(double probability) {
    this.probability = probability;
  }

  @Override
  public NDArray apply(NDArray images, SplittableRandom[] random) {
    int n = (int) images.getShape().get(0);
    int size = (int) images.getShape().get(2);
    if (images.getShape().get(3) != size) {
      throw new IllegalArgumentException("blur expects square images, got " + images.getShape());
    }
    int radius = radius(size);
    float[] weights = new float[n * size * size];
    for (int i = 0; i < n; i++) {
      boolean blur = random[i].nextDouble() < probability;
      double sigma = random[i].nextDouble(SIGMA_MIN, SIGMA_MAX);
      if (blur) {
        writeBlur(weights, i * size * size, size, radius, sigma);
      } else {
        for (int p = 0; p < size; p++) {
          weights[i * size * size + p * size + p] = 1;
        }
      }
    }
    return SeparableResample.apply(images, weights, size, weights, size);
  }

  /** Kernel radius for images of {@code size} pixels: an odd kernel about a tenth of the side. */
  static int radius(int size) {
    return Math.max(1, (int) Math.round(0.1 * size) / 2);
  }

  private static void writeBlur(float[] weights, int offset, int size, int radius, double sigma) {
    double[] kernel = new double[2 * radius + 1];
    double total = 0;
    for (int j = -radius; j <= radius; j++) {
      kernel[j + radius] = Math.exp(-(double) j * j / (2 * sigma * sigma));
      total += kernel[j + radius];
    }
    for (int o = 0; o < size; o++) {
      for (int j = -radius; j <= radius; j++) {
        weights[offset + o * size + reflect(o + j, size)] += (float) (kernel[j + radius] / total);
      }
    }
  }

  private static int reflect(int index, int size) {
    if (size == 1) {
      return 0;
    }
    int period = 2 * (size - 1);
    int i = Math.floorMod(index, period);
    return i < size ? i : period - i;
  }
}
