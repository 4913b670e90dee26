package dev.contrastive.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/** Counts the trainable parameters of an initialised block (BatchNorm statistics excluded). */
public final class ParameterCount {

  private ParameterCount() {}

  /** Number of trainable scalars of {@code block}; the block must be initialised. */
  public static long trainable(Block block) {
    long count = 0;
    for (Parameter parameter : block.getParameters().values()) {
      if (parameter.requiresGradient()) {
        count += parameter.getArray().size();
      }
    }
    return count;
  }
}
