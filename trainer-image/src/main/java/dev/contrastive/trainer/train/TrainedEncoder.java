package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.data.ImageFolderImages;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.model.SimClrModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The encoder of a trained checkpoint, for {@code embed} and {@code similar}: L2-normalised
 * features of image files, made as for evaluation (resize, normalise with the run's statistics).
 */
public final class TrainedEncoder {

  private final EncoderFeatures features;
  private final int imageSize;
  private final int threads;

  private TrainedEncoder(EncoderFeatures features, int imageSize, int threads) {
    this.features = features;
    this.imageSize = imageSize;
    this.threads = threads;
  }

  /**
   * Loads the run's model from {@code checkpoint}: a checkpoint folder, or a checkpoint root
   * (the newest one in it is used).
   *
   * @throws DataException when there is no checkpoint there
   */
  public static TrainedEncoder load(ContrastiveTrainingRunSpec spec, Path checkpoint, NDManager manager) {
    Checkpoint found = find(checkpoint);
    SimClrModel model = SimClrNetwork.create(spec, manager);
    found.loadParametersInto(model, manager);
    // the statistics the model was trained with
    var stats = Datasets.open(spec.dataset, spec.trainer.seed).stats();
    int threads = spec.dataset.loaderThreads == null ? 2 : spec.dataset.loaderThreads;
    return new TrainedEncoder(
        new EncoderFeatures(model.encoder(), spec.dataset.imageSize, stats), spec.dataset.imageSize, threads);
  }

  /** JPEG/PNG files under {@code folder} (recursively), sorted by path. */
  public static List<Path> imageFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new DataException(folder + ": not a folder of images");
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      List<Path> files = walk.filter(Files::isRegularFile).filter(TrainedEncoder::isImage).sorted().toList();
      if (files.isEmpty()) {
        throw new DataException(folder + ": holds no .jpg, .jpeg or .png files");
      }
      return files;
    } catch (IOException e) {
      throw new DataException(folder + ": cannot list images: " + e.getMessage(), e);
    }
  }

  /** (N, F) unit-length features of {@code files}, in order. */
  public NDArray embed(List<Path> files, NDManager manager) {
    LabelledImages images = new ImageFolderImages(files, new int[files.size()], imageSize);
    try (NDArray raw = features.of(images, manager, threads)) {
      return EncoderFeatures.normalise(raw);
    }
  }

  private static boolean isImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png");
  }

  /**
   * The checkpoint at {@code path}: a checkpoint folder, or a checkpoint root (its newest).
   *
   * @throws DataException when there is none there
   */
  public static Checkpoint find(Path path) {
    if (Files.isRegularFile(path.resolve(CheckpointManifest.FILE)) || Files.isRegularFile(path.resolve(Checkpoint.STATE))) {
      try {
        return Checkpoint.verified(path);
      } catch (Checkpoint.CheckpointException e) {
        throw new DataException("not a usable checkpoint: " + e.getMessage(), e);
      }
    }
    try {
      return new CheckpointStore(path, Integer.MAX_VALUE).latest()
          .orElseThrow(() -> new DataException(path + ": no checkpoint there (expected ckpt-e*-s* folders; a run keeps them in "
              + "<mountPath>/<namespace>/<name>/<uid>)"));
    } catch (UncheckedIOException e) {
      throw new DataException(path + ": cannot read checkpoints: " + e.getMessage(), e);
    }
  }
}
