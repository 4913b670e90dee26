package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.PairList;
import dev.contrastive.api.encoder.ArchitectureRules;

/**
 * Vision transformer with ViT-22B parallel blocks and QK-norm, without the classifier: patch
 * embedding plus learned position embeddings, {@code depth} {@link ParallelVitBlock}s, a final
 * LayerNorm, then the mean over tokens gives (B, width). Mean pooling instead of a CLS token: the
 * features feed a kNN search and a projection head, both of which work as well on the pooled
 * tokens (timm's {@code global_pool='avg'}), and it keeps the token count a square.
 */
public final class ParallelVitEncoder extends AbstractBlock implements Encoder {

  private final Block patchEmbedding;
  private final Parameter positionEmbedding;
  private final SequentialBlock blocks;
  private final Block norm;
  private final int width;

  /**
   * Builds the encoder for square images of {@code imageSize} pixels.
   *
   * @param imageSize image side in pixels, a multiple of {@code patchSize}
   * @param patchSize patch side in pixels
   * @param width embedding width, a multiple of {@code heads}
   * @param depth number of blocks
   * @param heads attention heads
   * @param mlpRatio MLP hidden width as a multiple of {@code width}
   * @param qkNorm whether attention normalises queries and keys
   */
  public ParallelVitEncoder(
      int imageSize, int patchSize, int width, int depth, int heads, double mlpRatio,
      boolean qkNorm) {
    this.width = width;
    int tokens = (imageSize / patchSize) * (imageSize / patchSize);
    patchEmbedding = addChildBlock("patchEmbedding", new PatchEmbedding(patchSize, width));
    positionEmbedding =
        addParameter(
            Parameter.builder()
                .setName("positionEmbedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(tokens, width))
                .build());
    blocks = addChildBlock("blocks", new SequentialBlock());
    int mlpHidden = ArchitectureRules.mlpHidden(width, mlpRatio);
    for (int i = 0; i < depth; i++) {
      blocks.add(new ParallelVitBlock(width, heads, mlpHidden, qkNorm));
    }
    norm = addChildBlock("norm", Norms.layerNormOverAxis(2));
    // timm's ViT initialisation; DJL's default (He normal) is too large for deep residual stacks
    setInitializer(new TruncatedNormalInitializer(0.02f), Parameter.Type.WEIGHT);
  }

  @Override
  public int featureDim() {
    return width;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray tokens = patchEmbedding.forward(parameterStore, inputs, training, params).head();
    NDArray position = parameterStore.getValue(positionEmbedding, tokens.getDevice(), training);
    NDList x = new NDList(tokens.add(position));
    x = blocks.forward(parameterStore, x, training, params);
    NDArray normed = norm.forward(parameterStore, x, training, params).head();
    return new NDList(normed.mean(new int[] {1}));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), width)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    patchEmbedding.initialize(manager, dataType, inputShapes);
    Shape[] tokens = patchEmbedding.getOutputShapes(inputShapes);
    blocks.initialize(manager, dataType, tokens);
    norm.initialize(manager, dataType, tokens);
  }
}
