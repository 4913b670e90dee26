package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.contrastive.trainer.precision.Precision;

/**
 * Multi-head self-attention on tokens (B, T, E), optionally with QK-norm (ViT-22B): a LayerNorm
 * over each head's queries and keys before their dot product, which keeps attention logits from
 * growing without bound when training with large learning rates.
 */
public final class MultiHeadSelfAttention extends AbstractBlock {

  private final int heads;
  private final Block qkv;
  private final Block queryNorm;
  private final Block keyNorm;
  private final Block output;

  /**
   * Builds the block.
   *
   * @param width embedding width E, a multiple of {@code heads}
   * @param heads number of heads
   * @param qkNorm whether to normalise queries and keys per head
   */
  public MultiHeadSelfAttention(int width, int heads, boolean qkNorm) {
    this.heads = heads;
    qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
    // (B, H, T, D): normalise over D, axis 3
    queryNorm = qkNorm ? addChildBlock("queryNorm", Norms.layerNormOverAxis(3)) : null;
    keyNorm = qkNorm ? addChildBlock("keyNorm", Norms.layerNormOverAxis(3)) : null;
    output = addChildBlock("output", Linear.builder().setUnits(width).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long tokens = shape.get(1);
    long width = shape.get(2);
    long headDim = width / heads;
    NDList qkvSplit = qkv.forward(parameterStore, inputs, training, params).head().split(3, 2);
    NDArray q = toHeads(qkvSplit.get(0), batch, tokens, headDim);
    NDArray k = toHeads(qkvSplit.get(1), batch, tokens, headDim);
    NDArray v = toHeads(qkvSplit.get(2), batch, tokens, headDim);
    if (queryNorm != null) {
      q = queryNorm.forward(parameterStore, new NDList(q), training, params).head();
      k = keyNorm.forward(parameterStore, new NDList(k), training, params).head();
    }
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(1.0 / Math.sqrt(headDim));
    // softmax in fp32, as torch.autocast does (and DJL's softmax cannot name bf16: it would abort)
    NDArray attention = Precision.castLike(Precision.toFloat32(scores).softmax(3), v);
    NDArray mixed = attention.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, width);
    return output.forward(parameterStore, new NDList(mixed), training, params);
  }

  private NDArray toHeads(NDArray x, long batch, long tokens, long headDim) {
    return x.reshape(batch, tokens, heads, headDim).transpose(0, 2, 1, 3);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape tokens = inputShapes[0];
    qkv.initialize(manager, dataType, tokens);
    Shape perHead =
        new Shape(tokens.get(0), heads, tokens.get(1), tokens.get(2) / heads);
    if (queryNorm != null) {
      queryNorm.initialize(manager, dataType, perHead);
      keyNorm.initialize(manager, dataType, perHead);
    }
    output.initialize(manager, dataType, tokens);
  }
}
