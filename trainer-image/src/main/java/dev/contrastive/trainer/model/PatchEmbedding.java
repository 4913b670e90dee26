package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Cuts (B, 3, H, W) images into non-overlapping patches and embeds each linearly: a convolution
 * whose stride equals its kernel, reshaped to tokens (B, H*W/patch^2, width).
 */
public final class PatchEmbedding extends AbstractBlock {

  private final Conv2d projection;
  private final int width;

  /** Embeds {@code patchSize x patchSize} patches into {@code width} channels. */
  public PatchEmbedding(int patchSize, int width) {
    this.width = width;
    projection =
        addChildBlock(
            "projection",
            Conv2d.builder()
                .setFilters(width)
                .setKernelShape(new Shape(patchSize, patchSize))
                .optStride(new Shape(patchSize, patchSize))
                .build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray grid = projection.forward(parameterStore, inputs, training, params).singletonOrThrow();
    // (B, E, h, w) -> (B, E, T) -> (B, T, E)
    return new NDList(grid.flatten(2, 3).transpose(0, 2, 1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape grid = projection.getOutputShapes(inputShapes)[0];
    return new Shape[] {new Shape(grid.get(0), grid.get(2) * grid.get(3), width)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    projection.initialize(manager, dataType, inputShapes);
  }
}
