package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Per-image random choices and factors as arrays that broadcast over (N, C, H, W). */
final class Masks {

  private Masks() {}

  /** Draws one Bernoulli(p) per image, image i from its own generator. */
  static boolean[] draw(double probability, SplittableRandom[] random) {
    boolean[] chosen = new boolean[random.length];
    for (int i = 0; i < random.length; i++) {
      chosen[i] = random[i].nextDouble() < probability;
    }
    return chosen;
  }

  /** Boolean array of {@code shape}, image i filled with chosen[i] (DJL's where cannot broadcast). */
  static NDArray of(NDManager manager, boolean[] chosen, Shape shape) {
    try (NDArray flags = manager.create(chosen);
        NDArray column = flags.reshape(new Shape(chosen.length, 1, 1, 1))) {
      return column.broadcast(shape);
    }
  }

  /** (N, 1, 1, 1) float array. */
  static NDArray perImage(NDManager manager, float[] values) {
    return manager.create(values, new Shape(values.length, 1, 1, 1));
  }
}
