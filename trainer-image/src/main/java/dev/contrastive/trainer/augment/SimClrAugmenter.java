package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.AugmentationSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.opencv.core.Mat;

/**
 * The SimCLR view pipeline, batched: random resized crop to {@code imageSize}, horizontal flip,
 * colour jitter, random greyscale, Gaussian blur (only when {@code imageSize >=
 * blurMinImageSize}), normalisation. Randomness comes only from the generators passed in, one per
 * image; {@link #randomsFor} keys them by (seed, epoch, image index), so a run's views are
 * reproducible, a resumed run sees the views it would have seen, and an image's views do not
 * depend on the batch size or the number of workers (W x B images get the views of 1 x W*B).
 *
 * <p>Two paths, the same draws: {@link #apply(NDArray, SplittableRandom[])} augments decoded
 * pixels as a batch (CIFAR-10, synthetic sets, and encoded images when OpenCV's natives are
 * missing: they are stored as their centre square); {@link #apply(NDManager, CropDecoder,
 * SplittableRandom[])} has each view's crop decoded from the full encoded image (drawn on its
 * header's size) and runs the other steps per image ({@link PerImageViews}). Image by image both
 * draw crop, flip, jitter, greyscale, blur for the first view, then the same for the second.
 */
public final class SimClrAugmenter {

  private final List<BatchAugmentation> steps = new ArrayList<>();
  private final Normalize normalize;
  private final RandomResizedCrop crop;
  private final PerImageViews perImage;
  private final int imageSize;

  /** Decodes one view of batch image {@code i}: its crop, drawn by {@code crop} from {@code random}. */
  @FunctionalInterface
  public interface CropDecoder {
    /**
     * @return the crop resized to {@code crop.outSize()}, RGB, float in [0, 1] (CV_32FC3) or 8-bit
     *     (CV_8UC3); the caller releases it
     */
    Mat decode(int i, RandomResizedCrop crop, SplittableRandom random);
  }

  /**
   * @param spec resolved augmentation settings (no nulls)
   * @param imageSize side of the output views
   * @param mean per-channel mean of [0, 1] pixels, for normalisation
   * @param std per-channel standard deviation of [0, 1] pixels
   */
  public SimClrAugmenter(AugmentationSpec spec, int imageSize, float[] mean, float[] std) {
    this.crop = new RandomResizedCrop(spec.cropScaleMin, spec.cropScaleMax, imageSize);
    this.perImage = new PerImageViews(spec, imageSize, mean, std);
    this.imageSize = imageSize;
    steps.add(crop);
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

  /** The random resized crop of both paths (its box drawing, its output size). */
  public RandomResizedCrop crop() {
    return crop;
  }

  /**
   * Makes two views of the images {@code decoder} decodes, one per generator: each view's crop
   * comes from the decoder, the other steps run image by image. The views live in {@code manager}.
   */
  public TwoViews apply(NDManager manager, CropDecoder decoder, SplittableRandom[] random) {
    int n = random.length;
    int perImageFloats = 3 * imageSize * imageSize;
    float[] first = new float[Math.multiplyExact(n, perImageFloats)];
    float[] second = new float[first.length];
    for (int i = 0; i < n; i++) {
      for (float[] view : new float[][] {first, second}) {
        Mat cropped = decoder.decode(i, crop, random[i]);
        try {
          perImage.augment(cropped, random[i], view, i * perImageFloats);
        } finally {
          cropped.release();
        }
      }
    }
    Shape shape = new Shape(n, 3, imageSize, imageSize);
    NDArray firstView = manager.create(first, shape);
    return new TwoViews(firstView, manager.create(second, shape));
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
