package dev.contrastive.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class WeightedKnnTest {

  @Test
  void classifiesByTheNearestClusterInAngle() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // Class 0 points along x, class 1 along y; lengths must not matter (cosine).
      NDArray train = manager.create(new float[][] {{1, 0.1f}, {5, -0.2f}, {0.1f, 1}, {-0.2f, 7}});
      NDArray test = manager.create(new float[][] {{10, 1}, {0.3f, 0.2f}, {1, 20}});

      int[] predicted = new WeightedKnn(2, 0.1, 100).predict(train, new int[] {0, 0, 1, 1}, test, 2);

      assertThat(predicted).containsExactly(0, 0, 1);
    }
  }

  @Test
  void closerNeighboursOutvoteMoreNumerousOnesAtLowTemperature() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // Query (1, 0): one class-0 neighbour at cosine 1.0, two class-1 neighbours at cosine 0.8.
      NDArray train = manager.create(new float[][] {{1, 0}, {0.8f, 0.6f}, {0.8f, -0.6f}});
      NDArray query = manager.create(new float[] {1, 0}, new Shape(1, 2));
      int[] labels = {0, 1, 1};

      // exp(1/0.1) = 22026 > 2 exp(0.8/0.1) = 5962; exp(1/10) = 1.105 < 2 exp(0.8/10) = 2.17.
      assertThat(new WeightedKnn(3, 0.1, 10).predict(train, labels, query, 2)).containsExactly(0);
      assertThat(new WeightedKnn(3, 10, 10).predict(train, labels, query, 2)).containsExactly(1);
    }
  }

  @Test
  void chunkingDoesNotChangeTheAnswer() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray train = manager.randomNormal(new Shape(50, 8));
      NDArray test = manager.randomNormal(new Shape(17, 8));
      int[] labels = new int[50];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = i % 3;
      }

      int[] whole = new WeightedKnn(5, 0.1, 100).predict(train, labels, test, 3);
      int[] chunked = new WeightedKnn(5, 0.1, 4).predict(train, labels, test, 3);

      assertThat(chunked).containsExactly(whole);
    }
  }

  @Test
  void topOneCountsCorrectPredictions() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray train = manager.create(new float[][] {{1, 0}, {0, 1}});
      NDArray test = manager.create(new float[][] {{1, 0.1f}, {0.1f, 1}, {1, 0}, {0, 1}});

      double top1 = new WeightedKnn(1, 0.1, 10).top1(train, new int[] {0, 1}, test, new int[] {0, 1, 1, 1}, 2);

      assertThat(top1).isEqualTo(0.75);
    }
  }
}
