package dev.contrastive.trainer.model;

import ai.djl.nn.Block;

/**
 * An image encoder: maps a batch of images (B, 3, H, W) to feature vectors (B, {@link
 * #featureDim()}). The kNN evaluation and {@code embed} use these features; the projection head
 * sits on top of them during training only.
 */
public interface Encoder extends Block {

  /** Width of the feature vector this encoder outputs. */
  int featureDim();
}
