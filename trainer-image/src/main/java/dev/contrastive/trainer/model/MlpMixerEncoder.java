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
 * MLP-Mixer (Tolstikhin et al. 2021) without the classifier: patch embedding, {@code depth} mixer
 * blocks, a final LayerNorm, then the mean over tokens gives (B, width). As in timm, the token MLP
 * is {@code width / 2} wide and the channel MLP {@code mlpRatio * width} (S/16: 256 and 2048).
 */
public final class MlpMixerEncoder extends AbstractBlock implements Encoder {

  private final Block patchEmbedding;
  private final SequentialBlock blocks;
  private final Block norm;
  private final int width;

  /**
   * Builds the encoder for square images of {@code imageSize} pixels.
   *
   * @param imageSize image side in pixels, a multiple of {@code patchSize}
   * @param patchSize patch side in pixels
   * @param width embedding width
   * @param depth number of mixer blocks
   * @param mlpRatio channel MLP width as a multiple of {@code width}
   */
  public MlpMixerEncoder(int imageSize, int patchSize, int width, int depth, double mlpRatio) {
    this.width = width;
    int tokens = (imageSize / patchSize) * (imageSize / patchSize);
    patchEmbedding = addChildBlock("patchEmbedding", new PatchEmbedding(patchSize, width));
    blocks = addChildBlock("blocks", new SequentialBlock());
    for (int i = 0; i < depth; i++) {
      blocks.add(new MixerBlock(tokens, width, width / 2, ArchitectureRules.mlpHidden(width, mlpRatio)));
    }
    norm = addChildBlock("norm", Norms.layerNormOverAxis(2));
    // small initial weights as in timm; DJL's default (He normal) inflates the residual stream
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
    NDList tokens = patchEmbedding.forward(parameterStore, inputs, training, params);
    tokens = blocks.forward(parameterStore, tokens, training, params);
    NDArray normed = norm.forward(parameterStore, tokens, training, params).head();
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
