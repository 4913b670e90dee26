package dev.contrastive.trainer.data;

import java.util.List;

/**
 * A training split, a held-out split for kNN evaluation, the class names (label order) and the
 * statistics to normalise inputs with.
 */
public record DatasetSplits(
    LabelledImages train, LabelledImages heldOut, List<String> classNames, ChannelStats stats) {

  public DatasetSplits {
    if (train.imageSize() != heldOut.imageSize()) {
      throw new IllegalArgumentException("train and held-out images differ in size");
    }
    classNames = List.copyOf(classNames);
  }

  public int numClasses() {
    return classNames.size();
  }

  /** Side in pixels of the stored images (before augmentation resizes them). */
  public int imageSize() {
    return train.imageSize();
  }
}
