package dev.contrastive.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.contrastive.trainer.augment.Normalize;
import dev.contrastive.trainer.augment.Resize;

/**
 * All images of a split, in order, resized to the training size and normalised (no random
 * augmentation): the input for computing kNN features, embeddings and raw-pixel baselines.
 */
public final class EvalBatches {

  private EvalBatches() {}

  /** One batch of images in order; closing it frees its arrays. */
  public record Batch(NDManager manager, NDArray images, int[] labels) implements AutoCloseable {
    @Override
    public void close() {
      manager.close();
    }
  }

  /**
   * Batches of {@code batchSize} (the last may be smaller) made on background threads.
   *
   * @param imageSize side of the output images
   * @param stats normalisation statistics ({@link DatasetSplits#stats()})
   */
  public static Prefetcher<Batch> of(
      LabelledImages images, int batchSize, int imageSize, ChannelStats stats, NDManager parent, int threads) {
    Resize resize = new Resize(imageSize);
    Normalize normalize = new Normalize(stats.mean(), stats.std());
    int batches = (images.size() + batchSize - 1) / batchSize;
    return new Prefetcher<>(
        batches,
        b -> {
          int from = b * batchSize;
          int[] indices = new int[Math.min(batchSize, images.size() - from)];
          for (int i = 0; i < indices.length; i++) {
            indices[i] = from + i;
          }
          NDManager manager = parent.newSubManager();
          try (NDArray pixels = PixelBatch.of(manager, images, indices);
              NDArray unit = pixels.toType(DataType.FLOAT32, false).divi(255f);
              NDArray resized = resize.apply(unit)) {
            // resized may be unit itself; closing an array twice is harmless.
            return new Batch(manager, normalize.apply(resized), PixelBatch.labels(images, indices));
          } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
          }
        },
        threads,
        2);
  }
}
