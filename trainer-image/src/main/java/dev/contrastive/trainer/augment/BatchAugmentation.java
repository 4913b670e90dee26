package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * One random image transform applied to a whole batch at once. Input and output are float
 * (N, 3, H, W) arrays with values in [0, 1]; every image draws its own parameters from {@code
 * random}, in image order, so the result depends only on the batch and the generator's state.
 */
public interface BatchAugmentation {

  NDArray apply(NDArray images, SplittableRandom random);
}
