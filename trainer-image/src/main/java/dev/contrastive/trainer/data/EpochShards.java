package dev.contrastive.trainer.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which training images a rank uses at each step. Every epoch shuffles all indices with a
 * permutation drawn from (seed, epoch), the same on every rank, and cuts it into global batches of
 * {@code worldSize * batchSize}; at step s rank {@code r} takes the r-th slice of global batch s.
 * So the ranks' batches of a step, concatenated in rank order, are exactly the batch a single
 * process with {@code worldSize * batchSize} images takes at that step: W workers x B images see
 * what 1 process x W*B images sees. The remainder that would leave ranks with unequal batch counts
 * is dropped, so every rank takes {@link #stepsPerEpoch()} steps (the gradient all-reduce needs all
 * of them at each step); a different permutation each epoch means different images are dropped.
 */
public final class EpochShards {

  private final int datasetSize;
  private final int batchSize;
  private final int rank;
  private final int worldSize;
  private final long seed;
  private final int stepsPerEpoch;

  /**
   * @throws DataException when the data set holds fewer than {@code worldSize * batchSize} images
   */
  public EpochShards(int datasetSize, int batchSize, int rank, int worldSize, long seed) {
    if (batchSize < 1 || worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          "need batchSize >= 1 and 0 <= rank < worldSize, got " + batchSize + ", " + rank + ", " + worldSize);
    }
    this.stepsPerEpoch = datasetSize / batchSize / worldSize;
    if (stepsPerEpoch == 0) {
      throw new DataException(
          "trainer.batchSizePerWorker " + batchSize + " x " + worldSize + " workers needs at least "
              + (long) batchSize * worldSize + " training images, the data set has " + datasetSize);
    }
    this.datasetSize = datasetSize;
    this.batchSize = batchSize;
    this.rank = rank;
    this.worldSize = worldSize;
    this.seed = seed;
  }

  /** Steps each rank takes per epoch: the same on every rank. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  public int batchSize() {
    return batchSize;
  }

  public int rank() {
    return rank;
  }

  /** Image indices of this rank's batch at {@code step} of {@code epoch}. */
  public int[] batch(int epoch, int step) {
    if (step < 0 || step >= stepsPerEpoch) {
      throw new IndexOutOfBoundsException("step " + step + " outside [0, " + stepsPerEpoch + ")");
    }
    return slice(permutation(epoch), step);
  }

  /** All image indices of this rank in {@code epoch}, in step order. */
  public int[] epoch(int epoch) {
    int[] order = permutation(epoch);
    int[] mine = new int[stepsPerEpoch * batchSize];
    for (int step = 0; step < stepsPerEpoch; step++) {
      System.arraycopy(slice(order, step), 0, mine, step * batchSize, batchSize);
    }
    return mine;
  }

  private int[] slice(int[] order, int step) {
    int start = (step * worldSize + rank) * batchSize;
    return Arrays.copyOfRange(order, start, start + batchSize);
  }

  private int[] permutation(int epoch) {
    int[] order = new int[datasetSize];
    for (int i = 0; i < datasetSize; i++) {
      order[i] = i;
    }
    // SplittableRandom scrambles its seed, so neighbouring epochs get unrelated permutations.
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = datasetSize - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
