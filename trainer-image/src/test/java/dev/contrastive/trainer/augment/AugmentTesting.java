package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Random [0, 1] image batches for augmentation tests. */
final class AugmentTesting {

  private AugmentTesting() {}

  static NDArray randomImages(NDManager manager, int n, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n * 3 * size * size];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble();
    }
    return manager.create(values, new Shape(n, 3, size, size));
  }

  /** One generator per image of {@code images}, all derived from {@code seed}. */
  static SplittableRandom[] randoms(NDArray images, long seed) {
    SplittableRandom parent = new SplittableRandom(seed);
    SplittableRandom[] randoms = new SplittableRandom[(int) images.getShape().get(0)];
    for (int i = 0; i < randoms.length; i++) {
      randoms[i] = parent.split();
    }
    return randoms;
  }
}
