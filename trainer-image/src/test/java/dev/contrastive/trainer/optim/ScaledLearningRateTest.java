package dev.contrastive.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.contrastive.api.spec.OptimizerSpec;
import org.junit.jupiter.api.Test;

/** SimCLR's learning-rate rules on the global batch (reference 256). */
class ScaledLearningRateTest {

  @Test
  void linearScalingIsSimClrsLrTimesGlobalBatchOver256() {
    // SimCLR: 0.3 x 4096/256 = 4.8 for 16 workers x 256
    ScaledLearningRate lr = ScaledLearningRate.of(optimizer(0.3, "linear"), 256, 16);

    assertThat(lr.globalBatch()).isEqualTo(4096);
    assertThat(lr.effectiveLr()).isCloseTo(4.8, within(1e-12));
    assertThat(lr.describe()).isEqualTo("global batch 4096 (16 x 256), lr 0.3 x 4096/256 (linear) = 4.8");
  }

  @Test
  void sqrtScalingGrowsWithTheRootOfTheGlobalBatch() {
    ScaledLearningRate lr = ScaledLearningRate.of(optimizer(1.2, "sqrt"), 64, 4);

    assertThat(lr.effectiveLr()).isCloseTo(1.2, within(1e-12)); // 256 images: the reference
    assertThat(ScaledLearningRate.of(optimizer(1.2, "sqrt"), 256, 4).effectiveLr()).isCloseTo(2.4, within(1e-12));
    assertThat(lr.describe()).isEqualTo("global batch 256 (4 x 64), lr 1.2 x sqrt(256/256) (sqrt) = 1.2");
  }

  @Test
  void noScalingKeepsTheLearningRateAtEveryWorldSize() {
    ScaledLearningRate lr = ScaledLearningRate.of(optimizer(1e-3, "none"), 32, 8);

    assertThat(lr.effectiveLr()).isEqualTo(1e-3);
    assertThat(lr.describe()).isEqualTo("global batch 256 (8 x 32), lr 0.001 (lrScaling none) = 0.001");
  }

  @Test
  void twoWorkersOfBImagesScaleLikeOneProcessOfTwoB() {
    assertThat(ScaledLearningRate.of(optimizer(0.3, "linear"), 64, 2).effectiveLr())
        .isEqualTo(ScaledLearningRate.of(optimizer(0.3, "linear"), 128, 1).effectiveLr());
  }

  private static OptimizerSpec optimizer(double lr, String rule) {
    OptimizerSpec spec = new OptimizerSpec();
    spec.lr = lr;
    spec.lrScaling = rule;
    return spec;
  }
}
