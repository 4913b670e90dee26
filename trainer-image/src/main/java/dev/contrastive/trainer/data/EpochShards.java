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
 *
 * <p>{@link ShardedImages} (Hub Parquet shards) are not permuted as a whole: each epoch draws an
 * order of the shards, takes them {@code shuffleShards} at a time and permutes the rows of each
 * group, so the batches of a step come from at most two groups and a worker holds only those
 * shards. A set that fits in one group gets exactly the whole-set permutation.
 */
public final class EpochShards {

  /** Keeps the shard order's random stream apart from the rows' stream. */
  private static final long SHARD_STREAM = 0x5DEECE66DL;

  private final int datasetSize;
  private final int batchSize;
  private final int rank;
  private final int worldSize;
  private final long seed;
  private final int stepsPerEpoch;
  /** Shard starts (and the end) of a sharded set; null permutes the whole set at once. */
  private final int[] shardBounds;
  private final int shuffleShards;

  /**
   * @throws DataException when the data set holds fewer than {@code worldSize * batchSize} images
   */
  public EpochShards(int datasetSize, int batchSize, int rank, int worldSize, long seed) {
    this(datasetSize, null, 1, batchSize, rank, worldSize, seed);
  }

  /** Shards of {@code images}: shard-grouped permutations for {@link ShardedImages}. */
  public static EpochShards of(LabelledImages images, int batchSize, int rank, int worldSize, long seed) {
    if (images instanceof ShardedImages sharded) {
      return new EpochShards(images.size(), sharded.shardBounds(), sharded.shuffleShards(),
          batchSize, rank, worldSize, seed);
    }
    return new EpochShards(images.size(), batchSize, rank, worldSize, seed);
  }

  private EpochShards(
      int datasetSize, int[] shardBounds, int shuffleShards, int batchSize, int rank, int worldSize, long seed) {
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
    if (shardBounds != null
        && (shardBounds.length < 2 || shardBounds[0] != 0 || shardBounds[shardBounds.length - 1] != datasetSize
            || shuffleShards < 1)) {
      throw new IllegalArgumentException("shard bounds must run from 0 to " + datasetSize);
    }
    this.shardBounds = shardBounds == null || shardBounds.length - 1 <= shuffleShards ? null : shardBounds.clone();
    this.shuffleShards = shuffleShards;
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
    // SplittableRandom scrambles its seed, so neighbouring epochs get unrelated permutations.
    SplittableRandom rows = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    if (shardBounds == null) {
      for (int i = 0; i < datasetSize; i++) {
        order[i] = i;
      }
      shuffle(order, 0, datasetSize, rows);
      return order;
    }
    int shards = shardBounds.length - 1;
    int[] shardOrder = new int[shards];
    for (int s = 0; s < shards; s++) {
      shardOrder[s] = s;
    }
    shuffle(shardOrder, 0, shards, new SplittableRandom((seed * 0x9E3779B97F4A7C15L + epoch) ^ SHARD_STREAM));
    int filled = 0;
    for (int first = 0; first < shards; first += shuffleShards) {
      int[] group = Arrays.copyOfRange(shardOrder, first, Math.min(first + shuffleShards, shards));
      Arrays.sort(group);
      int groupStart = filled;
      for (int s : group) {
        for (int i = shardBounds[s]; i < shardBounds[s + 1]; i++) {
          order[filled++] = i;
        }
      }
      shuffle(order, groupStart, filled, rows);
    }
    return order;
  }

  /** Fisher-Yates over {@code [from, to)}. */
  private static void shuffle(int[] values, int from, int to, SplittableRandom random) {
    for (int i = to - 1; i > from; i--) {
      int j = from + random.nextInt(i - from + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
