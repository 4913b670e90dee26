package dev.contrastive.trainer.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class NtXentLossTest {

  private static final float[][] VIEW1 = {{1, 0}, {0, 2}};
  private static final float[][] VIEW2 = {{3, 1}, {-1, 1}};

  @Test
  void matchesTheLossComputedInPlainJava() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray loss =
          new NtXentLoss(0.5).compute(manager.create(VIEW1), manager.create(VIEW2));
      assertThat((double) loss.getFloat()).isCloseTo(reference(0.5), within(1e-5));
    }
  }

  @Test
  void aPerfectlyAlignedBatchHasALowerLossThanAShuffledOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NtXentLoss loss = new NtXentLoss(0.1);
      NDArray a = manager.create(new float[][] {{1, 0}, {0, 1}, {-1, 0}});
      NDArray shuffled = manager.create(new float[][] {{0, 1}, {-1, 0}, {1, 0}});
      assertThat(loss.compute(a, a).getFloat()).isLessThan(loss.compute(a, shuffled).getFloat());
    }
  }

  @Test
  void gradientsReachTheProjections() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray view1 = manager.create(VIEW1);
      NDArray view2 = manager.create(VIEW2);
      view1.setRequiresGradient(true);
      view2.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(new NtXentLoss(0.5).compute(view1, view2));
      }
      assertThat(view1.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
      assertThat(view2.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
    }
  }

  @Test
  void rejectsANonPositiveTemperatureNamingTheField() {
    assertThatThrownBy(() -> new NtXentLoss(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loss.temperature=0.0");
  }

  /** The 4x2 example with doubles and loops: the definition, written out. */
  private static double reference(double temperature) {
    double[][] z = {
      unit(VIEW1[0]), unit(VIEW1[1]), unit(VIEW2[0]), unit(VIEW2[1]),
    };
    int rows = z.length;
    double total = 0;
    for (int i = 0; i < rows; i++) {
      int positive = (i + rows / 2) % rows;
      double denominator = 0;
      for (int j = 0; j < rows; j++) {
        if (j != i) {
          denominator += Math.exp(dot(z[i], z[j]) / temperature);
        }
      }
      total += -Math.log(Math.exp(dot(z[i], z[positive]) / temperature) / denominator);
    }
    return total / rows;
  }

  private static double[] unit(float[] v) {
    double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1]);
    return new double[] {v[0] / norm, v[1] / norm};
  }

  private static double dot(double[] a, double[] b) {
    return a[0] * b[0] + a[1] * b[1];
  }
}
