package dev.contrastive.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ProjectionHeadTest {

  @Test
  void mapsFeaturesToTheProjectionWidth() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ProjectionHead head = new ProjectionHead(32, 8, false);
      NDArray features = manager.randomNormal(new Shape(6, 20));
      head.initialize(manager, DataType.FLOAT32, features.getShape());
      NDArray out = head.forward(new ParameterStore(manager, false), new NDList(features), true).head();
      assertThat(out.getShape()).isEqualTo(new Shape(6, 8));
      // 20x32 (no bias: BatchNorm follows) + BatchNorm 2x32 + 32x8 + 8
      assertThat(ParameterCount.trainable(head)).isEqualTo(20 * 32 + 64 + 32 * 8 + 8);
    }
  }

  @Test
  void outputBatchNormCentresEachProjectionDimensionOverTheBatch() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ProjectionHead head = new ProjectionHead(16, 4, true);
      NDArray features = manager.randomNormal(3f, 2f, new Shape(8, 10), DataType.FLOAT32);
      head.initialize(manager, DataType.FLOAT32, features.getShape());
      NDArray out = head.forward(new ParameterStore(manager, false), new NDList(features), true).head();
      float largestMean = out.mean(new int[] {0}).abs().max().getFloat();
      assertThat(largestMean).isLessThan(1e-4f);
    }
  }
}
