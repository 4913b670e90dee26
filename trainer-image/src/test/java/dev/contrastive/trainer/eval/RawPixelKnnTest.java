package dev.contrastive.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.contrastive.trainer.data.Cifar10Reader;
import dev.contrastive.trainer.data.CifarSlice;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.data.SyntheticImages;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Raw pixels as features: the baseline a trained encoder must beat. */
class RawPixelKnnTest {

  @Test
  void rawPixelKnnOnTheCifarSliceMatchesTheReferencePoint() {
    DatasetSplits cifar = Cifar10Reader.read(CifarSlice.dir());
    // The slice README: 31.5% top-1 with 1k train / 200 test, cosine, weighted 20-NN.
    double top1 = rawPixelTop1(cifar, 1000, 200, 20);
    System.out.printf("raw-pixel kNN top-1 on CIFAR slice (1k/200, k=20): %.3f%n", top1);
    assertThat(top1).isBetween(0.25, 0.38);
  }

  @Test
  void syntheticClassesAreSeparableByRawPixelsWellAboveChance() {
    DatasetSplits synthetic = SyntheticImages.generate(10, 500, 200, 32, 42);
    double top1 = rawPixelTop1(synthetic, 500, 200, 20);
    assertThat(top1).isGreaterThan(0.3); // chance is 0.1
  }

  private static double rawPixelTop1(DatasetSplits splits, int trainCount, int testCount, int k) {
    try (NDManager manager = NDManager.newBaseManager()) {
      LabelledImages train = splits.train().subset(IntStream.range(0, trainCount).toArray());
      LabelledImages test = splits.heldOut().subset(IntStream.range(0, testCount).toArray());
      return new WeightedKnn(k, 0.1, 64)
          .top1(
              RawPixelFeatures.of(manager, train),
              labels(train),
              RawPixelFeatures.of(manager, test),
              labels(test),
              splits.numClasses());
    }
  }

  private static int[] labels(LabelledImages images) {
    return IntStream.range(0, images.size()).map(images::label).toArray();
  }
}
