package dev.contrastive.trainer.data.hub;

import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.EncodedImage;
import dev.contrastive.trainer.data.EncodedImages;
import dev.contrastive.trainer.data.ShardedImages;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The images of one split, in Parquet shards read lazily: a shard's encoded images are read
 * whole when a batch first needs one of them and kept in a small cache (least recently used out),
 * so a worker holds at most {@code 2 x shuffleShards} shards; the batches of one step come from at
 * most two shuffle groups ({@link dev.contrastive.trainer.data.EpochShards}). Labels of every row
 * are read up front (one small column). Images are decoded by {@link EncodedImages}, as ImageFolder
 * files are. Safe for the loader's threads: a shard wanted by several is read once.
 */
public final class ParquetImages implements ShardedImages {

  private final List<ParquetShard> shards;
  private final int[] bounds;
  private final int[] labels;
  private final int imageSize;
  private final int shuffleShards;
  private final int cachedShards;
  private final Map<Integer, CompletableFuture<byte[][]>> cache = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * @param bounds shard starts and the total, as {@link ShardedImages#shardBounds()}
   * @param labels the label of every row of all shards
   */
  ParquetImages(List<ParquetShard> shards, int[] bounds, int[] labels, int imageSize, int shuffleShards) {
    if (bounds.length != shards.size() + 1 || bounds[bounds.length - 1] != labels.length) {
      throw new IllegalArgumentException("bounds do not match the shards and labels");
    }
    this.shards = List.copyOf(shards);
    this.bounds = bounds.clone();
    this.labels = labels.clone();
    this.imageSize = imageSize;
    this.shuffleShards = shuffleShards;
    this.cachedShards = Math.max(2, 2 * shuffleShards);
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int imageSize() {
    return imageSize;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public int[] shardBounds() {
    return bounds.clone();
  }

  @Override
  public int shuffleShards() {
    return shuffleShards;
  }

  @Override
  public ShardedImages first(int count) {
    if (count >= size()) {
      return this;
    }
    int shard = shardOf(count - 1);
    int[] firstBounds = Arrays.copyOf(bounds, shard + 2);
    firstBounds[shard + 1] = count;
    return new ParquetImages(shards.subList(0, shard + 1), firstBounds, Arrays.copyOf(labels, count), imageSize,
        shuffleShards);
  }

  @Override
  public boolean isEncoded() {
    return true;
  }

  @Override
  public EncodedImage encoded(int index) {
    int shard = shardOf(index);
    int row = index - bounds[shard];
    return new EncodedImage(rows(shard)[row], shards.get(shard).file() + " row " + row);
  }

  @Override
  public void readInto(int index, byte[] target, int offset) {
    EncodedImage image = encoded(index);
    EncodedImages.decodeInto(image.bytes(), image.source(), imageSize, target, offset);
  }

  /** Shards whose images are in memory now (for tests of the memory bound). */
  int shardsInMemory() {
    synchronized (cache) {
      return cache.size();
    }
  }

  private int shardOf(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("image " + index + " outside [0, " + size() + ")");
    }
    int found = Arrays.binarySearch(bounds, index);
    // an exact hit is a shard's first row; skip empty shards that start at the same index
    int shard = found >= 0 ? found : -found - 2;
    while (bounds[shard + 1] <= index) {
      shard++;
    }
    return shard;
  }

  private byte[][] rows(int shard) {
    CompletableFuture<byte[][]> rows;
    boolean mine = false;
    synchronized (cache) {
      rows = cache.get(shard);
      if (rows == null) {
        rows = new CompletableFuture<>();
        cache.put(shard, rows);
        mine = true;
        var eldest = cache.keySet().iterator();
        while (cache.size() > cachedShards) {
          eldest.next();
          eldest.remove();
        }
      }
    }
    if (mine) {
      try {
        rows.complete(shards.get(shard).images());
      } catch (RuntimeException | Error e) {
        synchronized (cache) {
          cache.remove(shard, rows);
        }
        rows.completeExceptionally(e);
      }
    }
    try {
      return rows.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new DataException(shards.get(shard).file() + ": cannot read images (" + e.getCause() + ")", e);
    }
  }
}
