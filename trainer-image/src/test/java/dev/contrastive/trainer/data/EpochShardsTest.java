package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EpochShardsTest {

  @Test
  void ranksTakeDisjointSlicesThatCoverTheKeptImages() {
    int size = 103;
    int world = 3;
    int batch = 8; // 103 / 24 = 4 steps, 96 images kept, 7 dropped
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < world; rank++) {
      EpochShards shards = new EpochShards(size, batch, rank, world, 42);
      assertThat(shards.stepsPerEpoch()).isEqualTo(4);
      for (int index : shards.epoch(5)) {
        assertThat(seen.add(index)).as("index %d seen twice", index).isTrue();
      }
    }
    assertThat(seen).hasSize(96).allMatch(i -> i >= 0 && i < size);
  }

  @Test
  void aWholeEpochIsCoveredWhenNothingIsLeftOver() {
    Set<Integer> seen = new HashSet<>();
    for (int rank = 0; rank < 2; rank++) {
      EpochShards shards = new EpochShards(40, 5, rank, 2, 1);
      for (int step = 0; step < shards.stepsPerEpoch(); step++) {
        for (int index : shards.batch(0, step)) {
          seen.add(index);
        }
      }
    }
    assertThat(seen).hasSize(40);
  }

  @Test
  void theRanksOfAStepTogetherTakeTheBatchOfOneProcessWithTheGlobalBatch() {
    EpochShards single = new EpochShards(103, 24, 0, 1, 7);
    for (int world : new int[] {2, 3, 4}) {
      for (int step = 0; step < single.stepsPerEpoch(); step++) {
        int[] together = new int[0];
        for (int rank = 0; rank < world; rank++) {
          EpochShards shards = new EpochShards(103, 24 / world, rank, world, 7);
          assertThat(shards.stepsPerEpoch()).isEqualTo(single.stepsPerEpoch());
          int[] part = shards.batch(2, step);
          int[] grown = Arrays.copyOf(together, together.length + part.length);
          System.arraycopy(part, 0, grown, together.length, part.length);
          together = grown;
        }
        assertThat(together).as("world %d step %d", world, step).containsExactly(single.batch(2, step));
      }
    }
  }

  @Test
  void sameSeedAndEpochGiveTheSameBatches() {
    EpochShards a = new EpochShards(100, 10, 1, 2, 9);
    EpochShards b = new EpochShards(100, 10, 1, 2, 9);
    assertThat(a.batch(3, 2)).containsExactly(b.batch(3, 2));
  }

  @Test
  void epochsAreShuffledDifferently() {
    EpochShards shards = new EpochShards(100, 10, 0, 1, 9);
    assertThat(shards.epoch(0)).isNotEqualTo(shards.epoch(1));
  }

  @Test
  void rejectsADataSetSmallerThanOneGlobalBatch() {
    assertThatThrownBy(() -> new EpochShards(100, 64, 0, 2, 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("trainer.batchSizePerWorker 64")
        .hasMessageContaining("the data set has 100");
  }

  /** Shards of sizes 7, 0, 5, 9, 3, 6 (30 images), the first two shuffled together. */
  static ShardedImages sharded(int shuffleShards) {
    int[] bounds = {0, 7, 7, 12, 21, 24, 30};
    return new ShardedImages() {
      @Override public int[] shardBounds() { return bounds.clone(); }
      @Override public int shuffleShards() { return shuffleShards; }
      @Override public ShardedImages first(int count) { throw new UnsupportedOperationException(); }
      @Override public int size() { return 30; }
      @Override public int imageSize() { return 1; }
      @Override public int label(int index) { return 0; }
      @Override public void readInto(int index, byte[] target, int offset) {}
    };
  }

  @Test
  void shardedImagesThatFitOneShuffleGroupGetTheWholeSetPermutation() {
    EpochShards whole = new EpochShards(30, 3, 1, 2, 11);
    EpochShards oneGroup = EpochShards.of(sharded(6), 3, 1, 2, 11);

    assertThat(oneGroup.epoch(4)).containsExactly(whole.epoch(4));
  }

  @Test
  void shardedImagesAreShuffledWithinGroupsOfShardsAndStillCoverTheEpoch() {
    ShardedImages images = sharded(2);
    int[] bounds = images.shardBounds();
    EpochShards shards = EpochShards.of(images, 5, 0, 1, 11);
    int[] order = shards.epoch(3);

    assertThat(Arrays.stream(order).boxed().collect(java.util.stream.Collectors.toSet())).hasSize(30);
    assertThat(order).isNotEqualTo(new EpochShards(30, 5, 0, 1, 11).epoch(3));
    // the order is a run of blocks, each all the rows of at most two shards
    Set<Integer> block = new HashSet<>();
    int rowsInBlock = 0;
    for (int index : order) {
      block.add(shardOf(bounds, index));
      rowsInBlock++;
      assertThat(block).as("shards of one block").hasSizeLessThanOrEqualTo(2);
      if (rowsInBlock == block.stream().mapToInt(b -> bounds[b + 1] - bounds[b]).sum()) {
        block.clear();
        rowsInBlock = 0;
      }
    }
    assertThat(rowsInBlock).isZero();
    assertThat(shards.epoch(3)).as("the same for the same seed and epoch").containsExactly(order);
    assertThat(shards.epoch(4)).isNotEqualTo(order);
  }

  private static int shardOf(int[] bounds, int index) {
    int shard = 0;
    while (bounds[shard + 1] <= index) {
      shard++;
    }
    return shard;
  }
}
