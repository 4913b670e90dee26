package dev.contrastive.trainer.model;

import ai.djl.nn.norm.LayerNorm;

/** LayerNorm over the last axis only; DJL's default normalises every axis but the batch. */
final class Norms {

  private Norms() {}

  /** A LayerNorm over axis {@code lastAxis}, which must be the input's last axis. */
  static LayerNorm layerNormOverAxis(int lastAxis) {
    return LayerNorm.builder().axis(lastAxis).optEpsilon(1e-6f).build();
  }
}
