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
 * A ViT-22B "parallel layers" block: {@code y = x + MLP(LN(x)) + Attention(LN(x))}. One LayerNorm
 * is shared by both branches, as in ViT-22B, so attention and MLP read the same normalised input
 * and can run as one fused matrix product on hardware that supports it.
 */
public final class ParallelVitBlock extends AbstractBlock {

  private final Block norm;
  private final Block attention;
  private final Block mlp;

  /**
   * Builds the block.
   *
   * @param width embedding width
   * @param heads attention heads
   * @param mlpHidden hidden width of the MLP
   * @param qkNorm whether attention normalises queries and keys
   */
  public ParallelVitBlock(int width, int heads, int mlpHidden, boolean qkNorm) {
    norm = addChildBlock("norm", Norms.layerNormOverAxis(2));
    attention = addChildBlock("attention", new MultiHeadSelfAttention(width, heads, qkNorm));
    mlp = addChildBlock("mlp", FeedForward.of(mlpHidden, width));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDList normed = norm.forward(parameterStore, inputs, training, params);
    NDArray attended = attention.forward(parameterStore, normed, training, params).head();
    NDArray transformed = mlp.forward(parameterStore, normed, training, params).head();
    return new NDList(inputs.singletonOrThrow().add(attended).addi(transformed));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    norm.initialize(manager, dataType, inputShapes);
    attention.initialize(manager, dataType, inputShapes);
    mlp.initialize(manager, dataType, inputShapes);
  }
}
