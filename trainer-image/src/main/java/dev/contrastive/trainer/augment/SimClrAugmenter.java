package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.contrastive.api.spec.AugmentationSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The SimCLR view pipeline, batched: random resized crop to {@code imageSize}, horizontal flip,
 * colour jitter, random greyscale, Gaussian blur (only when {@code imageSize >=
 * blurMinImageSize}), normalisation. Randomness comes only from the generator passed in; {@link
 * #randomFor} gives the one for a (seed, epoch, step, rank), so a run's views are reproducible
 * and a resumed run sees the views it would have seen.
 */
public final class SimClrAugmenter {

  private final List<BatchAugmentation> steps = new ArrayList<>();
  private final Normalize normalize;

  /**
   * @param spec resolved augmentation settings (no nulls)
   * @param imageSize side of the output views
   * @param mean per-channel mean of [0, 1] pixels, for normalisation
   * @param std per-channel standard deviation of [0, 1] pixels
   */
  public SimClrAugmenter(AugmentationSpec spec, int imageSize, float[] mean, float[] std) {
    steps.add(new RandomResizedCrop(spec.cropScaleMin, spec.cropScaleMax, imageSize));
    steps.add(new HorizontalFlip(spec.flipProbability));
    steps.add(new ColorJitter(spec.colorJitterProbability, spec.colorJitterStrength));
    steps.add(new RandomGrayscale(spec.grayscaleProbability));
    if (imageSize >= spec.blurMinImageSize) {
      steps.add(new GaussianBlur(spec.blurProbability));
    }
    this.normalize = new Normalize(mean, std);
  }

  /** The generator for one batch; independent streams for different (epoch, step, rank). */
  public static SplittableRandom randomFor(long seed, int epoch, int step, int rank) {
    long key = seed;
    for (long part : new long[] {epoch, step, rank}) {
      key = key * 0x9E3779B97F4A7C15L + part;
    }
    return new SplittableRandom(key);
  }

  /**
   * Makes two views of a batch. The views live in the images' manager; the input is not closed.
   *
   * @param images uint8 or float (N, 3, H, W); uint8 is scaled to [0, 1], float must already be
   */
  public TwoViews apply(NDArray images, SplittableRandom random) {
    try (NDArray unit = toUnitRange(images)) {
      NDArray first = view(unit, random);
      return new TwoViews(first, view(unit, random));
    }
  }

  private NDArray view(NDArray unit, SplittableRandom random) {
    NDArray current = unit;
    for (BatchAugmentation step : steps) {
      NDArray next = step.apply(current, random);
      if (current != unit) {
        current.close();
      }
      current = next;
    }
    try (NDArray last = current) {
      return normalize.apply(last);
    }
  }

  static NDArray toUnitRange(NDArray images) {
    if (images.getDataType() == DataType.UINT8) {
      try (NDArray floats = images.toType(DataType.FLOAT32, false)) {
        return floats.div(255f);
      }
    }
    return images.duplicate();
  }
}
