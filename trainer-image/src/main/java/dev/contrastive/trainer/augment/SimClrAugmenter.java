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
 * blurMinImageSize}), normalisation. Randomness comes only from the generators passed in, one per
 * image; {@link #randomsFor} keys them by (seed, epoch, image index), so a run's views are
 * reproducible, a resumed run sees the views it would have seen, and an image's views do not
 * depend on the batch size or the number of workers (W x B images get the views of 1 x W*B).
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

  /**
   * The generators of one batch: image {@code imageIndices[i]} of {@code epoch} draws from its own
   * stream (an image occurs at most once per epoch, so no two images of a run share one).
   */
  public static SplittableRandom[] randomsFor(long seed, int epoch, int[] imageIndices) {
    // Each part goes through SplittableRandom's 64-bit mix: a linear key (seed * gamma + part)
    // would give (epoch + 1, image) the stream of (epoch, image) shifted by one draw.
    long epochKey = mix(mix(seed) + epoch);
    SplittableRandom[] randoms = new SplittableRandom[imageIndices.length];
    for (int i = 0; i < imageIndices.length; i++) {
      randoms[i] = new SplittableRandom(mix(epochKey + imageIndices[i]));
    }
    return randoms;
  }

  private static long mix(long value) {
    return new SplittableRandom(value).nextLong();
  }

  /**
   * Makes two views of a batch. The views live in the images' manager; the input is not closed.
   *
   * @param images uint8 or float (N, 3, H, W); uint8 is scaled to [0, 1], float must already be
   */
  public TwoViews apply(NDArray images, SplittableRandom[] random) {
    try (NDArray unit = toUnitRange(images)) {
      NDArray first = view(unit, random);
      return new TwoViews(first, view(unit, random));
    }
  }

  private NDArray view(NDArray unit, SplittableRandom[] random) {
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
