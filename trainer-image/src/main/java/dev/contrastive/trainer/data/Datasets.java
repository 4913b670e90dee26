package dev.contrastive.trainer.data;

import dev.contrastive.api.spec.DatasetSpec;
import java.nio.file.Path;

/**
 * Opens the data set a {@link DatasetSpec} describes. The spec must already be resolved (presets
 * applied): {@code imageSize} is required for {@code imagefolder} and {@code synthetic}, {@code
 * numClasses} for {@code synthetic}, {@code source} for {@code cifar10} and {@code imagefolder};
 * a missing one is reported as a {@link DataException} naming the key. CIFAR-10 images keep their
 * 32 px (augmentation and {@link EvalBatches} resize them to the training size).
 *
 * <p>{@code maxTrainImages}/{@code maxTestImages} (null or 0 = all) keep an evenly spaced subset,
 * so a limited ImageFolder set (stored class by class) still holds every class. A synthetic set
 * has {@link #SYNTHETIC_TRAIN_IMAGES}/{@link #SYNTHETIC_HELD_OUT_IMAGES} images unless limited.
 */
public final class Datasets {

  public static final int SYNTHETIC_TRAIN_IMAGES = 2000;
  public static final int SYNTHETIC_HELD_OUT_IMAGES = 500;

  private Datasets() {}

  /**
   * @param seed the run's seed; only the synthetic set depends on it
   * @throws DataException for a missing setting or bad data
   */
  public static DatasetSplits open(DatasetSpec spec, long seed) {
    String type = spec.type == null ? "synthetic" : spec.type;
    DatasetSplits full =
        switch (type) {
          case "cifar10" -> Cifar10Reader.read(Path.of(required(spec.source, "source", type)));
          case "imagefolder" -> ImageFolderReader.read(
              Path.of(required(spec.source, "source", type)), required(spec.imageSize, "imageSize", type));
          case "synthetic" -> SyntheticImages.generate(
              required(spec.numClasses, "numClasses", type),
              positiveOr(spec.maxTrainImages, SYNTHETIC_TRAIN_IMAGES),
              positiveOr(spec.maxTestImages, SYNTHETIC_HELD_OUT_IMAGES),
              required(spec.imageSize, "imageSize", type),
              seed);
          case "huggingface" -> throw new DataException(
              "dataset.type huggingface: this trainer build cannot read Hub data sets yet (#13)");
          default -> throw new DataException(
              "dataset.type: '" + type + "' is not one of cifar10, imagefolder, synthetic");
        };
    return new DatasetSplits(
        limit(full.train(), spec.maxTrainImages),
        limit(full.heldOut(), spec.maxTestImages),
        full.classNames(),
        full.stats());
  }

  /** At most {@code max} images of {@code images}, evenly spaced; all of them for null or 0. */
  static LabelledImages limit(LabelledImages images, Integer max) {
    if (max == null || max <= 0 || max >= images.size()) {
      return images;
    }
    int[] indices = new int[max];
    for (int i = 0; i < max; i++) {
      indices[i] = (int) ((long) i * images.size() / max);
    }
    return images.subset(indices);
  }

  private static <T> T required(T value, String key, String type) {
    if (value == null) {
      throw new DataException("dataset." + key + " is required for dataset.type " + type);
    }
    return value;
  }

  private static int positiveOr(Integer value, int fallback) {
    return value == null || value <= 0 ? fallback : value;
  }
}
