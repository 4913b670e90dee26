package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * Crops a random area (a fraction in [scaleMin, scaleMax] of the image, aspect ratio in [3/4,
 * 4/3], log-uniform) and resizes it bilinearly to {@code outSize}; the sampling follows
 * torchvision's RandomResizedCrop, including its centre-crop fallback after 10 misses.
 */
public final class RandomResizedCrop implements BatchAugmentation {

  private static final double LOG_RATIO_MIN = Math.log(3.0 / 4);
  private static final double LOG_RATIO_MAX = Math.log(4.0 / 3);

  private final double scaleMin;
  private final double scaleMax;
  private final int outSize;

  public RandomResizedCrop(double scaleMin, double scaleMax, int outSize) {
    if (!(0 < scaleMin && scaleMin <= scaleMax && scaleMax <= 1)) {
      throw new IllegalArgumentException("need 0 < scaleMin <= scaleMax <= 1");
    }
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.outSize = outSize;
  }

  @Override
  public NDArray apply(NDArray images, SplittableRandom[] random) {
    int n = (int) images.getShape().get(0);
    int height = (int) images.getShape().get(2);
    int width = (int) images.getShape().get(3);
    float[] rows = new float[n * outSize * height];
    float[] columns = new float[n * outSize * width];
    for (int i = 0; i < n; i++) {
      CropBox box = box(height, width, random[i]);
      SeparableResample.bilinear(rows, i * outSize * height, height, box.top(), box.height(), outSize);
      SeparableResample.bilinear(columns, i * outSize * width, width, box.left(), box.width(), outSize);
    }
    return SeparableResample.apply(images, rows, outSize, columns, outSize);
  }

  /** Side of the output. */
  public int outSize() {
    return outSize;
  }

  /**
   * Draws the crop of an image of {@code height} x {@code width} pixels from {@code random}: the
   * batched path and the crop-at-decode path ({@link PerImageViews}) draw the same boxes.
   */
  public CropBox box(int height, int width, SplittableRandom random) {
    double area = (double) height * width;
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * uniform(random, scaleMin, scaleMax);
      double ratio = Math.exp(uniform(random, LOG_RATIO_MIN, LOG_RATIO_MAX));
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (0 < w && w <= width && 0 < h && h <= height) {
        return new CropBox(random.nextInt(height - h + 1), random.nextInt(width - w + 1), h, w);
      }
    }
    double ratio = (double) width / height;
    int w = width;
    int h = height;
    if (ratio < 3.0 / 4) {
      h = (int) Math.round(w / (3.0 / 4));
    } else if (ratio > 4.0 / 3) {
      w = (int) Math.round(h * (4.0 / 3));
    }
    h = Math.min(h, height);
    w = Math.min(w, width);
    return new CropBox((height - h) / 2, (width - w) / 2, h, w);
  }

  private static double uniform(SplittableRandom random, double min, double max) {
    return min == max ? min : random.nextDouble(min, max);
  }
}
