package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * SimCLR projection head: Linear, BatchNorm, ReLU, Linear, optionally a last BatchNorm (SimCLR v2).
 * Maps encoder features (B, F) to the space of the contrastive loss (B, outputDim).
 */
public final class ProjectionHead extends AbstractBlock {

  private final SequentialBlock layers;
  private final int outputDim;

  /**
   * Builds the head.
   *
   * @param hiddenDim width of the hidden layer
   * @param outputDim width of the projections
   * @param outputBatchNorm whether to batch-normalise the projections (SimCLR v2)
   */
  public ProjectionHead(int hiddenDim, int outputDim, boolean outputBatchNorm) {
    this.outputDim = outputDim;
    layers =
        addChildBlock(
            "layers",
            new NormSequence()
                // no biases where a BatchNorm follows: it would cancel them
                .add(Linear.builder().setUnits(hiddenDim).optBias(false).build())
                .add(BatchNorm.builder().build())
                .add(ReleasingRelu::apply)
                .add(Linear.builder().setUnits(outputDim).optBias(!outputBatchNorm).build()));
    if (outputBatchNorm) {
      layers.add(BatchNorm.builder().optCenter(false).build());
    }
  }

  /** Width of the projections. */
  public int outputDim() {
    return outputDim;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    return layers.forward(parameterStore, inputs, training, params);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), outputDim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    layers.initialize(manager, dataType, inputShapes);
  }
}
