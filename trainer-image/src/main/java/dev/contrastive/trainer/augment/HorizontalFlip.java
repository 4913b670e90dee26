package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.SplittableRandom;

/** Mirrors each image left-right with probability {@code probability}. */
public final class HorizontalFlip implements BatchAugmentation {

  private final double probability;

  public HorizontalFlip(double probability) {
    this.probability = probability;
  }

  @Override
  public NDArray apply(NDArray images, SplittableRandom[] random) {
    boolean[] flip = Masks.draw(probability, random);
    try (NDArray mask = Masks.of(images.getManager(), flip, images.getShape());
        NDArray flipped = images.flip(3)) {
      return NDArrays.where(mask, flipped, images);
    }
  }
}
