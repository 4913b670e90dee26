package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * One random image transform applied to a whole batch at once. Input and output are float
 * (N, 3, H, W) arrays with values in [0, 1]; image i draws its parameters from {@code random[i]}
 * alone, so an image's result depends only on the image and its own generator, not on which
 * other images share its batch (a batch split across workers gives the same views).
 */
public interface BatchAugmentation {

  /**
   * @param random one generator per image, {@code random.length} = N
   */
  NDArray apply(NDArray images, SplittableRandom[] random);
}
