package dev.contrastive.trainer.data;

/**
 * Images stored in consecutive shards (Parquet files) that are cheap to read whole and dear to
 * read row by row at random: {@link EpochShards} shuffles their rows a few shards at a time, so
 * a worker holds only those shards in memory.
 */
public interface ShardedImages extends LabelledImages {

  /**
   * Where the shards start: shard s holds images {@code [bounds[s], bounds[s+1])}; the first
   * element is 0 and the last is {@link #size()}.
   */
  int[] shardBounds();

  /** Number of shards whose rows are shuffled together (each epoch draws a new grouping). */
  int shuffleShards();

  /** The first {@code count} images (whole shards, then part of the next), for maxTrainImages. */
  ShardedImages first(int count);
}
