package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One MLP-Mixer block on tokens (B, T, E): a token-mixing MLP across the T patches, then a
 * channel-mixing MLP across the E channels, each behind a LayerNorm and added to its input.
 */
public final class MixerBlock extends AbstractBlock {

  private final Block tokenNorm;
  private final Block tokenMlp;
  private final Block channelNorm;
  private final Block channelMlp;

  /**
   * Builds the block.
   *
   * @param tokens number of patches T
   * @param width channels E
   * @param tokenHidden hidden width of the token-mixing MLP
   * @param channelHidden hidden width of the channel-mixing MLP
   */
  public MixerBlock(int tokens, int width, int tokenHidden, int channelHidden) {
    tokenNorm = addChildBlock("tokenNorm", Norms.layerNormOverAxis(2));
    tokenMlp = addChildBlock("tokenMlp", FeedForward.of(tokenHidden, tokens));
    channelNorm = addChildBlock("channelNorm", Norms.layerNormOverAxis(2));
    channelMlp = addChildBlock("channelMlp", FeedForward.of(channelHidden, width));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray normed = tokenNorm.forward(parameterStore, inputs, training, params).head();
    NDArray tokenMixed =
        tokenMlp
            .forward(parameterStore, new NDList(normed.transpose(0, 2, 1)), training, params)
            .head()
            .transpose(0, 2, 1);
    x = x.add(tokenMixed);
    NDList channelIn = channelNorm.forward(parameterStore, new NDList(x), training, params);
    return new NDList(x.add(channelMlp.forward(parameterStore, channelIn, training, params).head()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape tokens = inputShapes[0];
    tokenNorm.initialize(manager, dataType, tokens);
    tokenMlp.initialize(manager, dataType, new Shape(tokens.get(0), tokens.get(2), tokens.get(1)));
    channelNorm.initialize(manager, dataType, tokens);
    channelMlp.initialize(manager, dataType, tokens);
  }
}
