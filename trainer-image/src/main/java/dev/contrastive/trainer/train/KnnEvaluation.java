package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.EvaluationSpec;
import dev.contrastive.trainer.data.DataException;
import dev.contrastive.trainer.data.DatasetSplits;
import dev.contrastive.trainer.data.Datasets;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.dist.ProcessGroup;
import dev.contrastive.trainer.eval.WeightedKnn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/** kNN top-1 of the held-out split, classified by the training split's encoder features. */
public final class KnnEvaluation {

  private static final int CHUNK = 256;
  /** Neighbours per query in a contact sheet. */
  public static final int SHEET_NEIGHBOURS = 6;

  private final DatasetSplits splits;
  private final WeightedKnn knn;
  private final int threads;

  /** The training images compared with: evaluation.knnTrainImages of the split, evenly spaced. */
  public KnnEvaluation(DatasetSplits splits, EvaluationSpec spec, int threads) {
    int trainImages = spec.knnTrainImages == null ? 0 : spec.knnTrainImages;
    this.splits = new DatasetSplits(Datasets.evenlySpaced(splits.train(), trainImages), splits.heldOut(),
        splits.classNames(), splits.stats());
    this.knn = new WeightedKnn(spec.knnK, spec.knnTemperature, CHUNK);
    this.threads = threads;
  }

  /** Training images the held-out ones are classified by. */
  public int trainImages() {
    return splits.train().size();
  }

  /**
   * Refuses, before training starts, an evaluation whose features cannot be held: every rank
   * assembles those of all its training images in one buffer.
   *
   * @throws DataException naming evaluation.knnTrainImages and the most that fit
   */
  public void checkFits(int featureDim) {
    long bytes = (long) Math.max(trainImages(), splits.heldOut().size()) * featureDim * Float.BYTES;
    if (bytes > Integer.MAX_VALUE) {
      long most = Integer.MAX_VALUE / ((long) featureDim * Float.BYTES);
      throw new DataException("evaluation.knnTrainImages: the kNN evaluation would hold the features of "
          + trainImages() + " training images (" + featureDim + " floats each, " + bytes / 1_000_000_000L
          + " GB) on every rank; at most " + most + " fit: set evaluation.knnTrainImages to " + most
          + " or fewer (dataset.maxTestImages likewise for the held-out split)");
    }
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
    return evaluate(features, parent, group, 0).top1();
  }

  /** Top-1 accuracy and a kNN evaluation's by-product for a contact sheet. */
  public record Evaluation(double top1, Neighbours neighbours) {}

  /**
   * As {@link #top1(EncoderFeatures, NDManager, ProcessGroup)}, and on rank 0 also the
   * {@value #SHEET_NEIGHBOURS} nearest training images of {@code sheetQueries} held-out images.
   */
  public Evaluation evaluate(EncoderFeatures features, NDManager parent, ProcessGroup group, int sheetQueries) {
    try (NDManager manager = parent.newSubManager()) {
      boolean alone = group.worldSize() == 1;
      NDArray train = alone ? features.of(splits.train(), manager, threads) : shared(splits.train(), features, manager, group);
      NDArray test = alone ? features.of(splits.heldOut(), manager, threads) : shared(splits.heldOut(), features, manager, group);
      double top1 = top1(train, test);
      Neighbours neighbours = group.rank() == 0 && sheetQueries > 0
          ? Neighbours.of(splits.heldOut(), splits.train(), test, train, sheetQueries, SHEET_NEIGHBOURS)
          : Neighbours.NONE;
      return new Evaluation(top1, neighbours);
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
