package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.contrastive.api.spec.ArchitectureSpec;

/**
 * The network SimCLR trains: an {@link Encoder} and a {@link ProjectionHead} on top. {@code
 * forward} returns two arrays: the encoder features (B, F), which the kNN evaluation and {@code
 * embed} use, and the projections (B, P), which the NT-Xent loss uses.
 */
public final class SimClrModel extends AbstractBlock {

  private final Encoder encoder;
  private final ProjectionHead projectionHead;

  /** Combines an encoder and a projection head. */
  public SimClrModel(Encoder encoder, ProjectionHead projectionHead) {
    this.encoder = addChildBlock("encoder", encoder);
    this.projectionHead = addChildBlock("projectionHead", projectionHead);
  }

  /**
   * Builds the model a resolved {@link ArchitectureSpec} describes, for square images of {@code
   * imageSize} pixels.
   *
   * @throws IllegalArgumentException naming the field, as {@link Encoders#create} does, also for
   *     missing {@code projectionHiddenDim} or {@code projectionDim}
   */
  public static SimClrModel create(ArchitectureSpec architecture, int imageSize) {
    Encoder encoder = Encoders.create(architecture, imageSize);
    if (architecture.projectionHiddenDim == null || architecture.projectionDim == null) {
      throw new IllegalArgumentException(
          "architecture.projectionHiddenDim and architecture.projectionDim must both be set:"
              + " choose a preset that sets them or set them yourself");
    }
    return new SimClrModel(
        encoder,
        new ProjectionHead(architecture.projectionHiddenDim, architecture.projectionDim, false));
  }

  /** The encoder alone, for evaluation and embedding. */
  public Encoder encoder() {
    return encoder;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList features = encoder.forward(parameterStore, inputs, training, params);
    NDArray projections = projectionHead.forward(parameterStore, features, training, params).head();
    return new NDList(features.head(), projections);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] features = encoder.getOutputShapes(inputShapes);
    return new Shape[] {features[0], projectionHead.getOutputShapes(features)[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    encoder.initialize(manager, dataType, inputShapes);
    projectionHead.initialize(manager, dataType, encoder.getOutputShapes(inputShapes));
  }
}
