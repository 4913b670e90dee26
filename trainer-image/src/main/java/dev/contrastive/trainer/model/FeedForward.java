package dev.contrastive.trainer.model;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

/** The two-layer GELU MLP of transformers and mixers, acting on the last axis. */
public final class FeedForward {

  private FeedForward() {}

  /** Linear to {@code hidden}, GELU, linear back to {@code out}. */
  public static SequentialBlock of(long hidden, long out) {
    return new SequentialBlock()
        .add(Linear.builder().setUnits(hidden).build())
        .add(Activation::gelu)
        .add(Linear.builder().setUnits(out).build());
  }
}
