package dev.contrastive.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.contrastive.api.spec.ArchitectureSpec;
import dev.contrastive.trainer.dist.CrossRankSums;
import dev.contrastive.trainer.engine.Autograd;
import dev.contrastive.trainer.engine.NoGrad;
import dev.contrastive.trainer.precision.Precision;
import java.util.Arrays;

/**
 * BatchNorm over the gang's whole batch, as {@code torch.nn.SyncBatchNorm}, with a closed-form
 * backward: no part of the autograd graph is passed twice.
 *
 * <p>Forward, in training: each rank's count, mean and sum of squared deviations per channel are
 * gathered (one all-reduce of a zero-padded vector, so the values arrive exactly) and combined on
 * every rank in the same order (Chan's pairwise formula, in doubles), which gives every rank the
 * same global mean and biased variance; {@code y = (x - mean) * invstd * gamma + beta} is then
 * computed without recording, and made a leaf that the layers above back-propagate into. The
 * running statistics move by the global mean and unbiased variance, so they are the same on every
 * rank and need no broadcast.
 *
 * <p>Backward ({@link CrossRankSums.Cut}, once every layer above has sent its gradient to the
 * leaf): with {@code dy} the leaf's gradient and {@code xhat = (x - mean) * invstd}, the sums
 * {@code sum(dy)} and {@code sum(dy * xhat)} per channel are all-reduced (one small all-reduce) and
 * {@code dx = gamma * invstd / N * (N dy - sum(dy) - xhat sum(dy xhat))}, N the gang's count per
 * channel: the exact derivative of the gang's summed loss with respect to this rank's inputs
 * through the global mean and variance (torch's {@code batch_norm_backward_elemt}), as {@code dy}
 * is that derivative with respect to the outputs (CrossRankSums's argument). {@code dx} is sent on
 * by a backward from the layer's input; {@code gamma} and {@code beta} get this rank's sums
 * {@code sum(dy xhat)} and {@code sum(dy)} only, because the gradient all-reduce then averages the
 * ranks' gradients: the average of the ranks' shares is the gang's derivative over W, as for
 * every other parameter.
 *
 * <p>Active when the forward's params carry {@link #KEY} (the step does so with {@code
 * architecture.syncBatchNorm} on more than one rank); otherwise, and in evaluation, DJL's
 * BatchNorm runs as it is. Our BatchNorms are DJL's defaults (epsilon 1e-5, momentum 0.9, i.e.
 * PyTorch's 0.1), which DJL does not expose.
 */
public final class SyncBatchNorm {

  /** The forward param that holds the step's {@link CrossRankSums}. */
  public static final String KEY = "contrastive.crossRankSums";

  private static final double EPSILON = 1e-5;
  private static final float MOMENTUM = 0.9f;

  private SyncBatchNorm() {}

  /** Whether a run with several ranks synchronises BatchNorm ({@code architecture.syncBatchNorm}, default true). */
  public static boolean wanted(ArchitectureSpec spec) {
    return spec.syncBatchNorm == null || spec.syncBatchNorm;
  }

  /** The step's sums when this forward synchronises BatchNorm, else null. */
  static CrossRankSums sums(boolean training, PairList<String, Object> params) {
    return training && params != null && params.get(KEY) instanceof CrossRankSums s ? s : null;
  }

  /**
   * {@code inputs} as the input of a residual unit: cut when BatchNorm is synchronised, so the
   * graph below, which the unit's branch and its shortcut both reach, is passed once.
   */
  static NDList cutInput(NDList inputs, boolean training, PairList<String, Object> params) {
    CrossRankSums sums = sums(training, params);
    return sums == null ? inputs : new NDList(sums.cut(inputs.singletonOrThrow()));
  }

  /** {@code norm}'s forward, over the gang's batch when the params ask for it. */
  static NDList forward(
      BatchNorm norm, ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
    CrossRankSums sums = sums(training, params);
    if (sums == null) {
      return norm.forward(parameterStore, inputs, training, params);
    }
    // in bf16/fp16 the statistics, the output leaf and the gradients are fp32; the casts are recorded
    NDArray given = inputs.singletonOrThrow();
    NDArray input = Precision.toFloat32(given);
    input.attach(sums.scope());
    Device device = input.getDevice();
    ParameterList parameters = norm.getParameters();
    Parameter gammaParameter = parameters.get("gamma");
    Parameter betaParameter = parameters.get("beta");
    NDArray gamma = parameterStore.getValue(gammaParameter, device, true);
    NDArray beta = parameterStore.getValue(betaParameter, device, true);
    Layout layout = new Layout(input.getShape());
    Statistics statistics;
    NDArray leaf;
    try (NoGrad off = NoGrad.enter(); NDManager scratch = input.getManager().newSubManager()) {
      input.tempAttach(scratch);
      statistics = Statistics.of(gather(sums, input, layout), sums.worldSize(), layout.channels);
      float[] gammas = gamma.toFloatArray();
      float[] scale = new float[layout.channels];
      for (int c = 0; c < scale.length; c++) {
        scale[c] = (float) (gammas[c] * statistics.invstd[c]);
      }
      leaf = input.sub(layout.perChannel(scratch, statistics.meanFloats()))
          .muli(layout.perChannel(scratch, scale))
          .addi(layout.perChannel(scratch, beta.toFloatArray()));
      leaf.attach(sums.scope()); // out of the scratch manager: the cut keeps it until its backward
      update(parameters, statistics, scratch);
    }
    leaf.setRequiresGradient(true);
    sums.add(() -> backward(sums, input, leaf, gamma, beta, statistics, layout,
        gammaParameter.requiresGradient(), betaParameter.requiresGradient()));
    // a view for the layers above, in the forward's manager: ReLU closes its input, the leaf stays ours
    NDArray output = leaf.reshape(layout.shape);
    output.attach(given.getManager());
    return new NDList(Precision.castLike(output, given));
  }

  /** This rank's count, mean and sum of squared deviations per channel in its slot, zeros elsewhere, summed. */
  private static float[] gather(CrossRankSums sums, NDArray input, Layout layout) {
    int c = layout.channels;
    NDArray mean = input.sum(layout.axes).divi(layout.count); // libtorch's mean over several axes is not in DJL
    NDArray squares = input.sub(mean.reshape(layout.broadcast)).square().sum(layout.axes);
    float[] all = new float[sums.worldSize() * (1 + 2 * c)];
    int slot = sums.rank() * (1 + 2 * c);
    all[slot] = layout.count;
    System.arraycopy(mean.toFloatArray(), 0, all, slot + 1, c);
    System.arraycopy(squares.toFloatArray(), 0, all, slot + 1 + c, c);
    return sums.allReduce(all);
  }

  /** The running statistics move by the gang's mean and unbiased variance, as torch's. */
  private static void update(ParameterList parameters, Statistics statistics, NDManager scratch) {
    int channels = statistics.mean.length;
    float[] unbiased = new float[channels];
    for (int c = 0; c < channels; c++) {
      unbiased[c] = (float) (statistics.variance[c] * statistics.count / (statistics.count - 1));
    }
    float[] mean = statistics.meanFloats();
    Shape shape = new Shape(channels);
    NDArray runningMean = parameters.get("runningMean").getArray();
    NDArray runningVar = parameters.get("runningVar").getArray();
    runningMean.muli(MOMENTUM).addi(CrossRankSums.ownCopy(scratch, mean, shape).muli(1 - MOMENTUM));
    runningVar.muli(MOMENTUM).addi(CrossRankSums.ownCopy(scratch, unbiased, shape).muli(1 - MOMENTUM));
  }

  /** Sends the leaf's gradient on to the layer's input, gamma and beta (class comment). */
  private static void backward(CrossRankSums sums, NDArray input, NDArray leaf, NDArray gamma, NDArray beta,
      Statistics statistics, Layout layout, boolean gammaLearns, boolean betaLearns) {
    int channels = layout.channels;
    float[] local;
    NDArray dx;
    try (NoGrad off = NoGrad.enter(); NDManager scratch = input.getManager().newSubManager()) {
      NDArray dy = leaf.getGradient();
      dy.attach(scratch);
      NDArray centred = input.sub(layout.perChannel(scratch, statistics.meanFloats()));
      centred.attach(scratch);
      float[] sumDy = dy.sum(layout.axes).toFloatArray();
      float[] sumDyCentred = dy.mul(centred).sum(layout.axes).toFloatArray();
      local = new float[2 * channels];
      for (int c = 0; c < channels; c++) {
        local[c] = sumDy[c];
        local[channels + c] = (float) (sumDyCentred[c] * statistics.invstd[c]); // sum(dy * xhat)
      }
      float[] global = sums.allReduce(local.clone());
      float[] gammas = gamma.toFloatArray();
      float[] k1 = new float[channels];
      float[] k2 = new float[channels];
      float[] k3 = new float[channels];
      double n = statistics.count;
      for (int c = 0; c < channels; c++) {
        double scale = gammas[c] * statistics.invstd[c];
        k1[c] = (float) scale;
        k2[c] = (float) (-scale * statistics.invstd[c] * global[channels + c] / n);
        k3[c] = (float) (-scale * global[c] / n);
      }
      // dx = gamma invstd (dy - sum(dy)/N - xhat sum(dy xhat)/N), with xhat invstd-scaled centred inputs
      dx = centred.muli(layout.perChannel(scratch, k2))
          .addi(dy.mul(layout.perChannel(scratch, k1)))
          .addi(layout.perChannel(scratch, k3));
      dx.attach(input.getManager());
    }
    Autograd.backwardIfRecorded(input, dx);
    dx.close();
    if (gammaLearns) {
      backwardInto(gamma, Arrays.copyOfRange(local, channels, 2 * channels));
    }
    if (betaLearns) {
      backwardInto(beta, Arrays.copyOf(local, channels));
    }
    input.close();
    leaf.close();
  }

  /** Adds {@code gradient} to the gradient of {@code parameter} (a parameter, or a recorded view of one). */
  private static void backwardInto(NDArray parameter, float[] gradient) {
    try (NDArray g = CrossRankSums.ownCopy(parameter.getManager(), gradient, parameter.getShape())) {
      Autograd.backward(parameter, g, false);
    }
  }

  /** The shape of a BatchNorm input (N, C, ...) and how per-channel values broadcast over it. */
  private static final class Layout {
    final Shape shape;
    final int channels;
    final int[] axes;
    final Shape broadcast;
    final long count;

    Layout(Shape shape) {
      this.shape = shape;
      this.channels = Math.toIntExact(shape.get(1));
      this.axes = new int[shape.dimension() - 1];
      long[] perChannel = new long[shape.dimension()];
      for (int axis = 0, k = 0; axis < shape.dimension(); axis++) {
        perChannel[axis] = axis == 1 ? channels : 1;
        if (axis != 1) {
          axes[k++] = axis;
        }
      }
      this.broadcast = new Shape(perChannel);
      this.count = shape.size() / channels;
    }

    NDArray perChannel(NDManager manager, float[] values) {
      return CrossRankSums.ownCopy(manager, values, broadcast);
    }
  }

  /** The gang's statistics per channel, the same on every rank. */
  private record Statistics(double count, double[] mean, double[] variance, double[] invstd) {

    /**
     * Combines the ranks' (count, mean, sum of squared deviations) in rank order, Chan et al.'s
     * pairwise update: no sum of squares about zero, whose difference from the squared mean cancels
     * where a channel's spread is small beside its mean.
     */
    static Statistics of(float[] gathered, int world, int channels) {
      double count = 0;
      double[] mean = new double[channels];
      double[] squares = new double[channels];
      for (int r = 0; r < world; r++) {
        int slot = r * (1 + 2 * channels);
        double n = gathered[slot];
        double total = count + n;
        for (int c = 0; c < channels; c++) {
          double m = gathered[slot + 1 + c];
          double delta = m - mean[c];
          mean[c] += delta * n / total;
          squares[c] += gathered[slot + 1 + channels + c] + delta * delta * count * n / total;
        }
        count = total;
      }
      double[] variance = new double[channels];
      double[] invstd = new double[channels];
      for (int c = 0; c < channels; c++) {
        variance[c] = squares[c] / count;
        invstd[c] = 1 / Math.sqrt(variance[c] + EPSILON);
      }
      return new Statistics(count, mean, variance, invstd);
    }

    float[] meanFloats() {
      float[] values = new float[mean.length];
      for (int c = 0; c < values.length; c++) {
        values[c] = (float) mean[c];
      }
      return values;
    }
  }
}
