package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.EvaluationSpec;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.eval.WeightedKnn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

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

  /** Top-1 accuracy in [0, 1] of the encoder's features, in one process. */
  public double top1(EncoderFeatures features, NDManager parent) {
    try (NDManager manager = parent.newSubManager()) {
      NDArray train = features.of(splits.train(), manager, threads);
      NDArray test = features.of(splits.heldOut(), manager, threads);
      return top1(train, test);
    }
  }

  /**
   * Top-1 accuracy with the feature work shared by the gang; every rank must call it and gets
   * the same answer. Each rank computes the features of one slice of the images and an all-reduce
   * assembles them, so no rank idles in a collective (and trips the peer timeout) while another
   * evaluates alone.
   */
  public double top1(EncoderFeatures features, NDManager parent, ProcessGroup group) {
    if (group.worldSize() == 1) {
      return top1(features, parent);
    }
    try (NDManager manager = parent.newSubManager()) {
      NDArray train = shared(splits.train(), features, manager, group);
      NDArray test = shared(splits.heldOut(), features, manager, group);
      return top1(train, test);
    }
  }

  private NDArray shared(LabelledImages images, EncoderFeatures features, NDManager manager, ProcessGroup group) {
    int n = images.size();
    int dim = features.dim();
    int from = (int) ((long) n * group.rank() / group.worldSize());
    int to = (int) ((long) n * (group.rank() + 1) / group.worldSize());
    ByteBuffer all = ByteBuffer.allocateDirect(Math.multiplyExact(n, dim * Float.BYTES)).order(ByteOrder.nativeOrder());
    if (to > from) {
      try (NDArray mine = features.of(images.subset(IntStream.range(from, to).toArray()), manager, threads)) {
        all.position(from * dim * Float.BYTES);
        all.put(mine.toByteBuffer());
      }
    }
    all.clear();
    group.allReduce(all, false); // x + 0 is exact: every rank ends with the same features
    return manager.create(all.asFloatBuffer(), new Shape(n, dim));
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
