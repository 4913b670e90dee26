package dev.contrastive.trainer.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link SequentialBlock} whose BatchNorms go through {@link SyncBatchNorm}: the statistics of
 * the whole gang's batch in training when the forward carries the gang's sums. DJL's BatchNorm
 * cannot be subclassed (package-private constructor), so its callers route it; the blocks, their
 * names and their parameters stay DJL's, and checkpoints and the export do not change. DJL's
 * SequentialBlock does not hand the forward's params to its children, so every sequence on the
 * way from the model to a BatchNorm must be a NormSequence (ResNetEncoderTest's syncBN check).
 */
public class NormSequence extends SequentialBlock {

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList current = inputs;
    for (Block block : getChildren().values()) {
      current = block instanceof BatchNorm norm
          ? SyncBatchNorm.forward(norm, parameterStore, current, training, params)
          : block.forward(parameterStore, current, training, params);
    }
    return current;
  }
}
