package dev.contrastive.trainer.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Locale;
import java.util.Random;

/**
 * A start-up check that libtorch computes convolution gradients right on this CPU: a tiny
 * conv3x3 -> conv3x3 (stride 2) net with a weighted-sum loss, forward and backward through DJL a
 * few times, each time held to {@link ReferenceConvolution}, at 16 and at 32 channels (the widths
 * the trainer builds, 16 or a multiple of 32, use those two kinds of kernel). libtorch 2.7.1's
 * oneDNN kernels return garbage or NaN input gradients on AVX-512 CPUs for narrow convolutions,
 * and wrong ones at stride 2 from 48, 80, ... channels (docs/cpu.md); the settings refuse those
 * widths, and this check catches the engine getting it wrong anyway (another CPU, another
 * libtorch) before a run trains on it.
 */
public final class GradientSelfCheck {

  /** The narrowest convolution the trainer builds (architecture.width >= 16). */
  static final int CHANNELS = 16;
  /** The narrowest of the wider ones (architecture.width is 16 or a multiple of 32). */
  static final int WIDER_CHANNELS = 32;
  /** The bad results came after a first good one: repeat, as a training loop does. */
  static final int RUNS = 4;
  private static final int BATCH = 2;
  private static final int SIZE = 8;
  /** Largest difference allowed, relative to the largest expected value (float32 sums: ~1e-6). */
  static final double TOLERANCE = 1e-4;

  /**
   * What the check found.
   *
   * @param problem null when every run matched, else what differed, e.g. "input gradient run 2: NaN in 12 of 2048 values"
   * @param millis how long the check took
   */
  public record Result(String problem, long millis) {
    public boolean passed() {
      return problem == null;
    }
  }

  private GradientSelfCheck() {}

  /** Runs the check with the trainer's narrowest convolutions, then with the next kind. */
  public static Result run() {
    long start = System.nanoTime();
    Result narrowest = run(CHANNELS, RUNS);
    Result result = narrowest.passed() ? run(WIDER_CHANNELS, RUNS) : narrowest;
    return new Result(result.problem(), (System.nanoTime() - start) / 1_000_000);
  }

  static Result run(int channels, int runs) {
    return run(channels, runs, (run, gradient) -> gradient);
  }

  /** What libtorch returned as the input gradient of a run, as the check sees it: tests inject faults here. */
  interface InputGradientView {
    float[] apply(int run, float[] gradient);
  }

  static Result run(int channels, int runs, InputGradientView view) {
    long start = System.nanoTime();
    ReferenceConvolution first = new ReferenceConvolution(channels, channels, 3, 1, 1);
    ReferenceConvolution second = new ReferenceConvolution(channels, channels, 3, 2, 1);
    Random random = new Random(20261201); // not the engine's generator: training's draws stay the same
    double[] x = normal(random, BATCH * channels * SIZE * SIZE, 1);
    double[] w1 = normal(random, channels * channels * 9, Math.sqrt(2.0 / (channels * 9)));
    double[] w2 = normal(random, channels * channels * 9, Math.sqrt(2.0 / (channels * 9)));
    double[] h = first.forward(x, BATCH, SIZE, w1);
    int out = second.outputSize(SIZE);
    double[] lossWeights = lossWeights(BATCH * channels * out * out);
    double[] dh = second.inputGradient(lossWeights, BATCH, SIZE, w2);
    double[] dx = first.inputGradient(dh, BATCH, SIZE, w1);
    double[] dw1 = first.weightGradient(x, dh, BATCH, SIZE);
    double[] dw2 = second.weightGradient(h, lossWeights, BATCH, SIZE);

    String problem = null;
    // the CPU's kernels, whatever device trains: the failure message is about them
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Shape weightShape = new Shape(channels, channels, 3, 3);
      for (int run = 0; run < runs && problem == null; run++) {
        try (NDManager step = manager.newSubManager();
            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray input = step.create(floats(x), new Shape(BATCH, channels, SIZE, SIZE));
          NDArray weight1 = step.create(floats(w1), weightShape);
          NDArray weight2 = step.create(floats(w2), weightShape);
          for (NDArray leaf : new NDArray[] {input, weight1, weight2}) {
            leaf.setRequiresGradient(true);
          }
          NDArray hidden = Conv2d.conv2d(input, weight1, null, new Shape(1, 1), new Shape(1, 1)).head();
          NDArray y = Conv2d.conv2d(hidden, weight2, null, new Shape(2, 2), new Shape(1, 1)).head();
          collector.backward(y.mul(step.create(floats(lossWeights), y.getShape())).sum());
          String at = " (" + channels + " channels, run " + (run + 1) + " of " + runs + ")";
          problem = firstProblem(
              compare("input gradient" + at, dx, view.apply(run, input.getGradient().toFloatArray())),
              compare("first weight gradient" + at, dw1, weight1.getGradient().toFloatArray()),
              compare("second weight gradient" + at, dw2, weight2.getGradient().toFloatArray()));
        }
      }
    }
    return new Result(problem, (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * Null when {@code actual} equals {@code expected} within {@link #TOLERANCE} of the largest
   * expected magnitude, else what is wrong in words.
   */
  static String compare(String what, double[] expected, float[] actual) {
    if (expected.length != actual.length) {
      return what + ": " + actual.length + " values, expected " + expected.length;
    }
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    int nans = 0;
    int worst = -1;
    double worstError = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!Float.isFinite(actual[i])) {
        nans++;
        continue;
      }
      double error = Math.abs(actual[i] - expected[i]);
      if (error > worstError) {
        worstError = error;
        worst = i;
      }
    }
    if (nans > 0) {
      return what + ": NaN or infinite in " + nans + " of " + expected.length + " values";
    }
    if (worstError > TOLERANCE * Math.max(scale, 1e-12)) {
      return String.format(Locale.ROOT, "%s: value %d is %.6g, expected %.6g", what, worst, actual[worst],
          expected[worst]);
    }
    return null;
  }

  /**
   * The line a worker fails with: what went wrong, on which CPU, and what to do about it.
   */
  public static String failureMessage(Result result, CpuIsa isa) {
    String remedy = isa.usesAvx512()
        ? "set " + CpuIsa.CAP_VARIABLE + "=AVX2 in the trainer's environment (libtorch's AVX-512 convolution"
            + " kernels are at fault; docs/cpu.md)"
        : "libtorch's convolution kernels are wrong even without AVX-512 here; run on another node type"
            + " (docs/cpu.md)";
    return "gradient self-check failed on " + isa.model() + " (" + isa.cpu() + ", oneDNN " + isa.engine() + "): "
        + result.problem() + "; " + remedy;
  }

  private static String firstProblem(String... problems) {
    for (String problem : problems) {
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /** 0, 1/n, 2/n, ...: every output weighs differently, so every gradient entry differs. */
  private static double[] lossWeights(int n) {
    double[] weights = new double[n];
    for (int i = 0; i < n; i++) {
      weights[i] = (double) (float) ((float) i / n);
    }
    return weights;
  }

  /** Normal values already rounded to float, so both computations start from the same numbers. */
  private static double[] normal(Random random, int n, double std) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextGaussian() * std);
    }
    return values;
  }

  private static float[] floats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
