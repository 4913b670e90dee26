package dev.contrastive.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One step's input: two augmented, normalised float (N, 3, S, S) views of the same N images,
 * their labels (for monitoring only) and data-set indices. The arrays belong to the batch's own
 * manager; {@link #close()} frees them and everything computed from them in that manager.
 */
public final class TrainBatch implements AutoCloseable {

  private final NDManager manager;
  private final NDArray first;
  private final NDArray second;
  private final int[] labels;
  private final int[] indices;
  private final int step;

  TrainBatch(NDManager manager, NDArray first, NDArray second, int[] labels, int[] indices, int step) {
    this.manager = manager;
    this.first = first;
    this.second = second;
    this.labels = labels;
    this.indices = indices;
    this.step = step;
  }

  public NDArray first() {
    return first;
  }

  public NDArray second() {
    return second;
  }

  public int[] labels() {
    return labels.clone();
  }

  public int[] indices() {
    return indices.clone();
  }

  /** Step within the epoch. */
  public int step() {
    return step;
  }

  @Override
  public void close() {
    manager.close();
  }
}
