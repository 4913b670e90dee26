package dev.contrastive.trainer.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.trainer.engine.Autograd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Sums over the gang that a loss can be differentiated through, for the collectives inside a
 * step's forward (the gathered projections of global negatives, synchronised BatchNorm). DJL has
 * no autograd hook for a collective, so the graph is cut at each one: the collective's output is
 * a leaf, and the cut's {@link Cut#backward} later sends that leaf's gradient on into the graph
 * below it.
 *
 * <p>Forward: {@link #sum} all-reduces {@code local}'s values; the result {@code total} is a new
 * leaf. Backward of the scalar loss {@code L_r} (this rank's) stops at the leaves. Then, last cut
 * first, each cut passes its leaf's gradient down; for a sum that is {@code G = sum over ranks of
 * dL_r/d total}, all-reduced, and backward runs from {@code local} with output gradient {@code G}.
 *
 * <p>Why that is exact: the gang's objective is {@code L = (1/W) sum_r L_r}. Because {@code total
 * = sum_r local_r}, {@code d total / d local_r} is the identity, so {@code d(sum_r' L_r')/d
 * local_r = sum_r' dL_r'/d total = G}: every rank's loss, not only its own, reaches its {@code
 * local}. This rank's parameters thus receive {@code d(sum_r' L_r')} through its own part of the
 * graph, and the usual gradient average over ranks ({@code 1/W} of the sum over ranks) is {@code
 * dL/d theta}. Cuts are made in forward order, which is an order of the graph, so when a cut's
 * turn comes every later cut (all that can reach its leaf) has sent its gradient: the leaf's
 * gradient is complete.
 *
 * <p>No part of the graph is passed twice: every backward frees what it passes, so a second pass
 * fails loudly instead of adding a gradient twice. The model cuts wherever a tensor would be
 * reached from two cuts (the input of a residual unit, {@link #cut}).
 *
 * <p>One instance per rank; every rank must make the same sums, in the same order, with the same
 * shapes. Not thread-safe.
 */
public final class CrossRankSums {

  /** Where a step's graph is cut: its backward sends the gradient that reached the cut on below it. */
  @FunctionalInterface
  public interface Cut {
    /** Called once, after every later cut's; may all-reduce (every rank calls it in turn). */
    void backward();
  }

  private final ProcessGroup group;
  private final AllReduceAlgorithm algorithm;
  private final List<Cut> cuts = new ArrayList<>();
  private NDManager keep;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(0);
  private long nanos;

  /** Sums through {@code algorithm} (flat or two-level) over the ranks of {@code group}. */
  public CrossRankSums(ProcessGroup group, AllReduceAlgorithm algorithm) {
    this.group = group;
    this.algorithm = algorithm;
  }

  public int rank() {
    return group.rank();
  }

  public int worldSize() {
    return group.worldSize();
  }

  /**
   * Starts a step: the arrays the cuts need in {@link #backward} move to {@code scope}, which must
   * outlive it (the forward's own arrays may be closed before).
   */
  public void begin(NDManager scope) {
    cuts.clear();
    keep = scope;
  }

  /** The step's manager for arrays a cut keeps until its backward; null before {@link #begin}. */
  public NDManager scope() {
    return keep;
  }

  /**
   * The sum over ranks of {@code local} (same shape on every rank), as a leaf that takes a
   * gradient. Call while autograd records.
   */
  public NDArray sum(NDArray local) {
    requireStep();
    float[] summed = allReduce(local.toFloatArray());
    NDArray total = ownCopy(local.getManager(), summed, local.getShape());
    total.setRequiresGradient(true);
    local.attach(keep);
    total.attach(keep);
    cuts.add(() -> {
      float[] gradient = allReduce(gradientOf(total));
      try (NDArray g = ownCopy(local.getManager(), gradient, local.getShape())) {
        Autograd.backward(local, g, false);
      }
      local.close();
      total.close();
    });
    return total;
  }

  /**
   * A leaf with {@code input}'s values: the graph is cut there, and the leaf's gradient goes on to
   * {@code input} once every later cut has sent its share back. For a tensor that two later cuts
   * reach (a residual unit's input: its branch and its shortcut), so the graph below it is passed
   * once, with the sum of both gradients, not once per cut.
   */
  public NDArray cut(NDArray input) {
    requireStep();
    NDArray leaf = input.stopGradient();
    leaf.setRequiresGradient(true);
    input.attach(keep);
    leaf.attach(keep);
    cuts.add(() -> {
      try (NDArray g = leaf.getGradient()) {
        Autograd.backwardIfRecorded(input, g);
      }
      input.close();
      leaf.close();
    });
    return leaf;
  }

  /** Registers a cut made elsewhere (a synchronised BatchNorm's), in forward order. */
  public void add(Cut cut) {
    requireStep();
    cuts.add(cut);
  }

  /** Backward of this rank's scalar loss through every cut since {@link #begin}, last first. */
  public void backward(NDArray loss) {
    try {
      Autograd.backward(loss, false);
      for (int i = cuts.size() - 1; i >= 0; i--) {
        cuts.get(i).backward();
      }
    } finally {
      cuts.clear();
      keep = null;
    }
  }

  /** Wall time in this class's all-reduces so far, waiting for slower ranks included. */
  public long nanos() {
    return nanos;
  }

  private void requireStep() {
    if (keep == null) {
      throw new IllegalStateException("begin() a step before summing across ranks or cutting the graph");
    }
  }

  /**
   * An array that owns its storage: {@code create} from Java data may leave libtorch reading a
   * buffer that the JVM can collect, and these arrays outlive the call by a whole backward.
   */
  public static NDArray ownCopy(NDManager manager, float[] values, ai.djl.ndarray.types.Shape shape) {
    try (NDArray borrowed = manager.create(values, shape)) {
      return borrowed.duplicate();
    }
  }

  private static float[] gradientOf(NDArray leaf) {
    try (NDArray gradient = leaf.getGradient()) {
      return gradient.toFloatArray();
    }
  }

  /**
   * Sums {@code values} over the ranks, in place, and returns them; every rank gets the same
   * floats. Every rank must call it with as many values, in the same order of calls.
   */
  public float[] allReduce(float[] values) {
    long start = System.nanoTime();
    int bytes = values.length * Float.BYTES;
    if (buffer.capacity() < bytes) {
      buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    buffer.clear().limit(bytes);
    buffer.asFloatBuffer().put(values);
    algorithm.allReduce(buffer, false);
    buffer.asFloatBuffer().get(0, values);
    nanos += System.nanoTime() - start;
    return values;
  }
}
