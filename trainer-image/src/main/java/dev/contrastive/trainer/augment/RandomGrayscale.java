package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.SplittableRandom;

/** Replaces each image by its luma in all three channels with probability {@code probability}. */
public final class RandomGrayscale implements BatchAugmentation {

  private final double probability;

  public RandomGrayscale(double probability) {
    this.probability = probability;
  }

  @Override
  public NDArray apply(NDArray images, SplittableRandom[] random) {
    boolean[] grey = Masks.draw(probability, random);
    try (NDArray mask = Masks.of(images.getManager(), grey, images.getShape());
        NDArray luma = Grayscale.luma(images);
        NDArray lumaRgb = luma.broadcast(images.getShape())) {
      return NDArrays.where(mask, lumaRgb, images);
    }
  }
}
