package dev.contrastive.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.trainer.augment.SimClrAugmenter;
import dev.contrastive.trainer.augment.TwoViews;
import java.util.SplittableRandom;

/**
 * Feeds the training loop: this rank's shard of each epoch as {@link TrainBatch}es, read and
 * augmented on background threads ahead of the step that needs them. The views of an image depend
 * only on (seed, epoch, image index), whichever thread makes them and whichever rank or batch it
 * falls in.
 *
 * <p>Encoded images (ImageFolder, Hub) with OpenCV loaded: each view's random crop is decoded
 * from the full image and augmented per image ({@link EncodedImages#decodeCrop}). Decoded sets
 * (CIFAR-10, synthetic), and encoded ones without OpenCV: the stored square, augmented batched.
 *
 * <pre>{@code
 * try (Prefetcher<TrainBatch> batches = loader.epoch(epoch, firstStep, lastStep)) {
 *   while (batches.hasNext()) {
 *     try (TrainBatch batch = batches.next()) { ... batch.first(), batch.second() ... }
 *   }
 * }
 * }</pre>
 */
public final class TrainLoader {

  private final LabelledImages train;
  private final EpochShards shards;
  private final SimClrAugmenter augmenter;
  private final NDManager parent;
  private final long seed;
  private final int threads;
  private final int depth;
  private final boolean cropsAtDecode;

  /**
   * @param parent manager under which each batch gets its own sub-manager
   * @param threads background threads ({@code dataset.loaderThreads})
   * @param depth batches made ahead of the training step (2 to 4 is plenty)
   */
  public TrainLoader(
      LabelledImages train,
      EpochShards shards,
      SimClrAugmenter augmenter,
      NDManager parent,
      long seed,
      int threads,
      int depth) {
    this.train = train;
    this.shards = shards;
    this.augmenter = augmenter;
    this.parent = parent;
    this.seed = seed;
    this.threads = threads;
    this.depth = depth;
    this.cropsAtDecode = EncodedImages.cropsAtDecode(train);
  }

  /** Steps of every epoch on every rank. */
  public int stepsPerEpoch() {
    return shards.stepsPerEpoch();
  }

  /**
   * Batches of steps {@code [fromStep, toStep)} of {@code epoch}; a resumed run starts at the
   * step after its checkpoint, a run with {@code trainer.maxStepsPerEpoch} stops early.
   */
  public Prefetcher<TrainBatch> epoch(int epoch, int fromStep, int toStep) {
    if (fromStep < 0 || fromStep > toStep || toStep > stepsPerEpoch()) {
      throw new IllegalArgumentException(
          "steps [" + fromStep + ", " + toStep + ") outside [0, " + stepsPerEpoch() + "]");
    }
    return new Prefetcher<>(toStep - fromStep, i -> make(epoch, fromStep + i), threads, depth);
  }

  /** Makes the batch of one step synchronously (what the background threads call). */
  public TrainBatch make(int epoch, int step) {
    int[] indices = shards.batch(epoch, step);
    NDManager manager = parent.newSubManager();
    try {
      SplittableRandom[] randoms = SimClrAugmenter.randomsFor(seed, epoch, indices);
      TwoViews views;
      if (cropsAtDecode) {
        views = augmenter.apply(
            manager, (i, crop, random) -> EncodedImages.decodeCrop(train.encoded(indices[i]), crop, random), randoms);
      } else {
        try (NDArray pixels = PixelBatch.of(manager, train, indices)) {
          views = augmenter.apply(pixels, randoms);
        }
      }
      return new TrainBatch(
          manager, views.first(), views.second(), PixelBatch.labels(train, indices), indices, step);
    } catch (RuntimeException | Error e) {
      manager.close();
      throw e;
    }
  }
}
