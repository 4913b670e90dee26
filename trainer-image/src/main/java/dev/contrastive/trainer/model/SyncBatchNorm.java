package dev.contrastive.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.trainer.dist.CrossRankSums;
import dev.contrastive.trainer.engine.NoGrad;
import dev.contrastive.trainer.precision.Precision;

/**
 * BatchNorm over the gang's whole batch, as {@code torch.nn.SyncBatchNorm}: in training each rank
 * sums its inputs per channel (and counts them), an all-reduce gives the global mean, a second one
 * the sums of squares about it, so the global biased variance; they normalise every rank's
 * inputs, and the running statistics move by
 * the global mean and unbiased variance, so they are the same on every rank. The backward is
 * exact too: {@link CrossRankSums} cuts the graph at the layer's input and at the all-reduced sums,
 * all-reduces the sums' gradient (torch's all-reduce of sum(dy) and sum(dy x-hat), in other
 * coordinates) and sends every rank's share back through its own part of the graph.
 *
 * <p>Active when the forward's params carry {@link #KEY} (the step does so with
 * {@code architecture.syncBatchNorm} on more than one rank); otherwise, and in evaluation, DJL's
 * BatchNorm runs as it is. Our BatchNorms are DJL's defaults (epsilon 1e-5, momentum 0.9, i.e.
 * PyTorch's 0.1), which DJL does not expose.
 */
public final class SyncBatchNorm {

  /** The forward param that holds the step's {@link CrossRankSums}. */
  public static final String KEY = "contrastive.crossRankSums";

  private static final float EPSILON = 1e-5f;
  private static final float MOMENTUM = 0.9f;

  private SyncBatchNorm() {}

  /**
   * Whether a run synchronises BatchNorm when it has several ranks. Off unless asked for: exact in
   * ScaleEquivalenceTest's 3 SGD steps, but a 2-rank CIFAR-10 run with AdamW went NaN at step 3
   * (docs/benchmarks.md), which is not understood yet.
   */
  public static boolean wanted(ArchitectureSpec spec) {
    return Boolean.TRUE.equals(spec.syncBatchNorm);
  }

  /** {@code norm}'s forward, over the gang's batch when the params ask for it. */
  static NDList forward(
      BatchNorm norm, ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    CrossRankSums sums = training && params != null && params.get(KEY) instanceof CrossRankSums s ? s : null;
    if (sums == null) {
      return norm.forward(parameterStore, inputs, training, params);
    }
    // in bf16/fp16 the sums and statistics are fp32, the output goes on in the input's type
    NDArray given = inputs.singletonOrThrow();
    NDArray input = Precision.toFloat32(given);
    Device device = input.getDevice();
    ParameterList parameters = norm.getParameters();
    NDArray gamma = parameterStore.getValue(parameters.get("gamma"), device, true);
    NDArray beta = parameterStore.getValue(parameters.get("beta"), device, true);
    Shape shape = input.getShape();
    long channels = shape.get(1);
    int[] axes = new int[shape.dimension() - 1];
    long[] perChannel = new long[shape.dimension()];
    for (int axis = 0, k = 0; axis < shape.dimension(); axis++) {
      perChannel[axis] = axis == 1 ? channels : 1;
      if (axis != 1) {
        axes[k++] = axis;
      }
    }
    Shape broadcast = new Shape(perChannel);

    NDArray x = sums.cut(input);
    NDArray local = NDArrays.concat(new NDList(x.sum(axes),
        input.getManager().full(new Shape(1), (float) (input.size() / channels))), 0);
    NDArray total = sums.sum(local);
    float count = total.get(channels).getFloat();
    NDArray mean = total.get("0:" + channels).div(count).reshape(broadcast);
    NDArray centred = x.sub(mean);
    // The variance from a second sum, of squares about the global mean: the mean of squares minus
    // the squared mean cancels catastrophically where a channel's spread is small beside its mean
    // (negative variances, NaN), and the graph differentiates through both sums all the same.
    NDArray variance = sums.sum(centred.square().sum(axes)).div(count);
    NDArray output = centred
        .div(variance.add(EPSILON).sqrt().reshape(broadcast))
        .mul(gamma.reshape(broadcast))
        .add(beta.reshape(broadcast));
    try (NoGrad off = NoGrad.enter()) {
      NDArray runningMean = parameters.get("runningMean").getArray();
      NDArray runningVar = parameters.get("runningVar").getArray();
      runningMean.muli(MOMENTUM).addi(mean.reshape(channels).mul(1 - MOMENTUM));
      runningVar.muli(MOMENTUM).addi(variance.mul(count / (count - 1) * (1 - MOMENTUM)));
    }
    return new NDList(Precision.castLike(output, given));
  }
}
