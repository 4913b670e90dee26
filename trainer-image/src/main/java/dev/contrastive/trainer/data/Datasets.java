package dev.contrastive.trainer.data;

import dev.contrastive.api.spec.DatasetSpec;
import dev.contrastive.trainer.data.hub.HubDatasets;
import dev.contrastive.trainer.data.hub.HubSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Opens the data set a {@link DatasetSpec} describes. The spec must already be resolved (presets
 * applied): {@code imageSize} is required for {@code imagefolder} and {@code synthetic}, {@code
 * numClasses} for {@code synthetic}, {@code source} for {@code cifar10} and {@code imagefolder};
 * a missing one is reported as a {@link DataException} naming the key. CIFAR-10 images keep their
 * 32 px (augmentation and {@link EvalBatches} resize them to the training size).
 *
 * <p>{@code maxTrainImages}/{@code maxTestImages} (null or 0 = all) keep an evenly spaced subset,
 * so a limited ImageFolder set (stored class by class) still holds every class; of a Hub data set
 * they keep the first images, so that it is still read shard by shard. A synthetic set
 * has {@link #SYNTHETIC_TRAIN_IMAGES}/{@link #SYNTHETIC_HELD_OUT_IMAGES} images unless limited.
 */
public final class Datasets {

  public static final int SYNTHETIC_TRAIN_IMAGES = 2000;
  public static final int SYNTHETIC_HELD_OUT_IMAGES = 500;
  private static final String MOUNT_HINT = "; on a cluster, mount the volume that holds the data into the trainer"
      + " container (spec.template: a volume and a volumeMount of container trainer, see docs/pod-template.md)";

  private Datasets() {}

  /**
   * Fails at once, before a worker joins its gang, when the data folder of {@code cifar10} or
   * {@code imagefolder} is missing or empty: in a pod that nearly always means the volume holding
   * the data is not mounted, and no restart can fix it.
   *
   * @throws DataException naming dataset.source and its path
   */
  public static void checkSource(DatasetSpec spec) {
    String type = spec.type == null ? "synthetic" : spec.type;
    if (!type.equals("cifar10") && !type.equals("imagefolder")) {
      return;
    }
    Path source = Path.of(required(spec.source, "source", type));
    if (!Files.exists(source)) {
      throw new DataException("dataset.source " + source + ": no such folder" + MOUNT_HINT);
    }
    if (!Files.isDirectory(source)) {
      throw new DataException("dataset.source " + source + ": not a folder (" + type + " reads a folder)");
    }
    try (Stream<Path> entries = Files.list(source)) {
      if (entries.findAny().isEmpty()) {
        throw new DataException("dataset.source " + source + ": the folder is empty" + MOUNT_HINT);
      }
    } catch (IOException e) {
      throw new DataException("dataset.source " + source + ": cannot list folder: " + e.getMessage(), e);
    }
  }

  /**
   * What a worker pod does once before its training processes start and join the gang: checks that
   * a folder data set is there ({@link #checkSource}) and downloads a Hub data set into the cache
   * (HF_HOME), so that the processes only read it and no rank waits in a collective for a download.
   *
   * @param env the pod's environment (HF_ENDPOINT, HF_TOKEN, HF_HOME, ...)
   * @param progress receives download progress lines
   * @throws DataException for a missing or unusable data set
   */
  public static void prepare(DatasetSpec spec, Map<String, String> env, Consumer<String> progress) {
    checkSource(spec);
    if ("huggingface".equals(spec.type)) {
      HubDatasets.download(spec, HubSettings.fromEnvironment(env), progress);
    }
  }

  /**
   * The input normalisation a run trains with, for tools that use its trained encoder (export). A
   * Hub data set is never downloaded for it: unless measured, its normalisation is ImageNet's;
   * measured statistics come from the Hugging Face cache alone (as with HF_HUB_OFFLINE).
   *
   * @throws DataException when the data the statistics need cannot be read here
   */
  public static ChannelStats inputStats(DatasetSpec spec, long seed, Map<String, String> env) {
    if ("huggingface".equals(spec.type)) {
      if (!"measured".equals(spec.normalization)) {
        return ChannelStats.IMAGENET;
      }
      Map<String, String> offline = new java.util.HashMap<>(env);
      offline.put("HF_HUB_OFFLINE", "1");
      return open(spec, seed, offline, line -> { }).stats();
    }
    return open(spec, seed, env, line -> { }).stats();
  }

  /**
   * @param seed the run's seed; only the synthetic set depends on it
   * @throws DataException for a missing setting or bad data
   */
  public static DatasetSplits open(DatasetSpec spec, long seed) {
    return open(spec, seed, System.getenv(), System.out::println);
  }

  /**
   * @param env the process environment: a Hub data set reads HF_ENDPOINT, HF_TOKEN, HF_HOME, ...
   *     ({@link HubSettings})
   * @param progress receives a Hub data set's download progress lines
   * @throws DataException for a missing setting or bad data
   */
  public static DatasetSplits open(
      DatasetSpec spec, long seed, Map<String, String> env, Consumer<String> progress) {
    checkSource(spec);
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
          case "huggingface" -> HubDatasets.open(spec, HubSettings.fromEnvironment(env), progress);
          default -> throw new DataException(
              "dataset.type: '" + type + "' is not one of cifar10, imagefolder, huggingface, synthetic");
        };
    LabelledImages train = limit(full.train(), spec.maxTrainImages);
    return new DatasetSplits(
        train,
        limit(full.heldOut(), spec.maxTestImages),
        full.classNames(),
        stats(spec.normalization, full.stats(), train));
  }

  /** The reader's statistics unless {@code dataset.normalization} asks otherwise. */
  private static ChannelStats stats(String normalization, ChannelStats readers, LabelledImages train) {
    if (normalization == null) {
      return readers;
    }
    return switch (normalization) {
      case "imagenet" -> ChannelStats.IMAGENET;
      case "measured" -> ChannelStats.measure(train);
      default -> throw new DataException(
          "dataset.normalization: '" + normalization + "' is not one of imagenet, measured");
    };
  }

  /**
   * At most {@code max} images of {@code images}, evenly spaced; all of them for null or 0. Of
   * sharded images the first {@code max}, so that reading them stays shard by shard.
   */
  static LabelledImages limit(LabelledImages images, Integer max) {
    if (max == null || max <= 0 || max >= images.size()) {
      return images;
    }
    if (images instanceof ShardedImages sharded) {
      return sharded.first(max);
    }
    int[] indices = new int[max];
    for (int i = 0; i < max; i++) {
      indices[i] = (int) ((long) i * images.size() / max);
    }
    return images.subset(indices);
  }

  /**
   * At most {@code max} images of {@code images}, evenly spaced over all of them (of sharded images
   * too, so that every part of the split, and so every class, is represented); all for 0.
   */
  public static LabelledImages evenlySpaced(LabelledImages images, int max) {
    if (max <= 0 || max >= images.size()) {
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
