package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.AugmentationSpec;
import dev.contrastive.trainer.augment.SimClrAugmenter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainLoaderTest {

  static NDManager manager;
  static DatasetSplits data;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager();
    data = SyntheticImages.generate(4, 64, 8, 16, 3);
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  @Test
  void batchesHoldTwoNormalisedViewsOfTheShard() {
    TrainLoader loader = loader(1);
    try (Prefetcher<TrainBatch> batches = loader.epoch(0, 0, loader.stepsPerEpoch())) {
      int steps = 0;
      while (batches.hasNext()) {
        try (TrainBatch batch = batches.next()) {
          assertThat(batch.first().getShape().getShape()).containsExactly(8, 3, 16, 16);
          assertThat(batch.second().getShape()).isEqualTo(batch.first().getShape());
          assertThat(batch.indices()).containsExactly(new EpochShards(64, 8, 1, 2, 5).batch(0, steps));
          steps++;
        }
      }
      assertThat(steps).isEqualTo(4);
    }
  }

  @Test
  void viewsDoNotDependOnTheNumberOfLoaderThreads() {
    List<float[]> oneThread = firstViews(loader(1));
    List<float[]> threeThreads = firstViews(loader(3));
    assertThat(threeThreads).hasSameSizeAs(oneThread);
    for (int step = 0; step < oneThread.size(); step++) {
      assertThat(Arrays.equals(threeThreads.get(step), oneThread.get(step))).as("step %d", step).isTrue();
    }
  }

  @Test
  void aResumedEpochSeesTheSameBatchesAsAStraightOne() {
    TrainLoader loader = loader(2);
    List<float[]> straight = firstViews(loader);
    try (Prefetcher<TrainBatch> resumed = loader.epoch(1, 2, 4);
        TrainBatch batch = resumed.next()) {
      assertThat(Arrays.equals(batch.first().toFloatArray(), straight.get(2))).isTrue();
    }
  }

  private static TrainLoader loader(int threads) {
    SimClrAugmenter augmenter =
        new SimClrAugmenter(new AugmentationSpec(), 16, data.stats().mean(), data.stats().std());
    return new TrainLoader(data.train(), new EpochShards(64, 8, 1, 2, 5), augmenter, manager, 5, threads, 2);
  }

  private static List<float[]> firstViews(TrainLoader loader) {
    List<float[]> views = new ArrayList<>();
    try (Prefetcher<TrainBatch> batches = loader.epoch(1, 0, loader.stepsPerEpoch())) {
      while (batches.hasNext()) {
        try (TrainBatch batch = batches.next()) {
          views.add(batch.first().toFloatArray());
        }
      }
    }
    return views;
  }
}
