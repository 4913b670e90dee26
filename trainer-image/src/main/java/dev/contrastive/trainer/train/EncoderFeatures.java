package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.contrastive.trainer.data.ChannelStats;
import dev.contrastive.trainer.data.EvalBatches;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.data.Prefetcher;
import dev.contrastive.trainer.model.Encoder;

/** Encoder features of whole image sets in inference mode (BatchNorm uses running statistics). */
public final class EncoderFeatures {

  private static final int BATCH = 128;

  private final Encoder encoder;
  private final int imageSize;
  private final ChannelStats stats;

  public EncoderFeatures(Encoder encoder, int imageSize, ChannelStats stats) {
    this.encoder = encoder;
    this.imageSize = imageSize;
    this.stats = stats;
  }

  /** F, the width of the features. */
  public int dim() {
    return encoder.featureDim();
  }

  /** (N, F) features of all {@code images}, in order, attached to {@code manager}. */
  public NDArray of(LabelledImages images, NDManager manager, int threads) {
    NDList parts = new NDList();
    try (Prefetcher<EvalBatches.Batch> batches =
        EvalBatches.of(images, BATCH, imageSize, stats, manager, Math.max(1, threads))) {
      while (batches.hasNext()) {
        try (EvalBatches.Batch batch = batches.next()) {
          NDArray features =
              encoder.forward(new ParameterStore(batch.manager(), false), new NDList(batch.images()), false)
                  .head();
          features.attach(manager);
          parts.add(features);
        }
      }
    }
    if (parts.size() == 1) {
      return parts.head();
    }
    try (parts) {
      return NDArrays.concat(parts, 0);
    }
  }

  /** Rows scaled to unit length, so a dot product is the cosine similarity. */
  public static NDArray normalise(NDArray features) {
    try (NDArray norms = features.norm(new int[] {1}, true);
        NDArray safe = norms.maximum(1e-12f)) {
      return features.div(safe);
    }
  }
}
