package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;

/** Two independently augmented, normalised float (N, 3, S, S) views of the same images. */
public record TwoViews(NDArray first, NDArray second) implements AutoCloseable {

  @Override
  public void close() {
    first.close();
    second.close();
  }
}
