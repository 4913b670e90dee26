package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.EvaluationSpec;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.eval.WeightedKnn;

/** kNN top-1 of the held-out split, classified by the training split's encoder features. */
public final class KnnEvaluation {

  private static final int CHUNK = 256;

  private final DatasetSplits splits;
  private final WeightedKnn knn;
  private final int threads;

  public KnnEvaluation(DatasetSplits splits, EvaluationSpec spec, int threads) {
    this.splits = splits;
    this.knn = new WeightedKnn(spec.knnK, spec.knnTemperature, CHUNK);
    this.threads = threads;
  }

  /** Top-1 accuracy in [0, 1] of the encoder's features. */
  public double top1(EncoderFeatures features, NDManager parent) {
    try (NDManager manager = parent.newSubManager()) {
      NDArray train = features.of(splits.train(), manager, threads);
      NDArray test = features.of(splits.heldOut(), manager, threads);
      return knn.top1(train, labels(splits.train()), test, labels(splits.heldOut()), splits.numClasses());
    }
  }

  /** Top-1 accuracy of precomputed features (e.g. raw pixels) on the same splits. */
  public double top1(NDArray trainFeatures, NDArray testFeatures) {
    return knn.top1(
        trainFeatures, labels(splits.train()), testFeatures, labels(splits.heldOut()), splits.numClasses());
  }

  private static int[] labels(LabelledImages images) {
    int[] labels = new int[images.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = images.label(i);
    }
    return labels;
  }
}
