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
 * step's forward (the gathered projections of global negatives). DJL has no autograd hook for a
 * collective, so the graph is cut at each one and {@link #backward} stitches it together again.
 *
 * <p>Forward: {@link #sum} all-reduces {@code local}'s values; the result {@code total} is a new
 * leaf. Backward of the scalar loss {@code L_r} (this rank's) stops at those leaves. Then, last
 * collective first, {@code G = sum over ranks of dL_r/d total} is all-reduced and backward runs
 * from {@code local} with output gradient {@code G}.
 *
 * <p>Why that is exact: the gang's objective is {@code L = (1/W) sum_r L_r}. Because {@code total
 * = sum_r local_r}, {@code d total / d local_r} is the identity, so {@code d(sum_r' L_r')/d
 * local_r = sum_r' dL_r'/d total = G}: every rank's loss, not only its own, reaches its {@code
 * local}. This rank's parameters thus receive {@code d(sum_r' L_r')} through its own part of the
 * graph, and the usual gradient average over ranks ({@code 1/W} of the sum over ranks) is {@code
 * dL/d theta}. A collective's {@code G} is complete once every later collective has sent its
 * gradient back, hence last first.
 *
 * <p>One instance per rank; every rank must make the same sums, in the same order, with the same
 * shapes. Not thread-safe.
 */
public final class CrossRankSums {

  private final ProcessGroup group;
  private final AllReduceAlgorithm algorithm;
  private final List<Entry> entries = new ArrayList<>();
  private NDManager keep;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(0);
  private long nanos;

  private record Entry(NDArray local, NDArray total) {}

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
   * Starts a step: the arrays the sums need in {@link #backward} move to {@code scope}, which must
   * outlive it (the forward's own arrays may be closed before).
   */
  public void begin(NDManager scope) {
    entries.clear();
    keep = scope;
  }

  /**
   * The sum over ranks of {@code local} (same shape on every rank), as a leaf that takes a
   * gradient. Call while autograd records.
   */
  public NDArray sum(NDArray local) {
    if (keep == null) {
      throw new IllegalStateException("begin() a step before summing across ranks");
    }
    float[] summed = allReduce(local.toFloatArray());
    NDArray total = local.getManager().create(summed, local.getShape());
    total.setRequiresGradient(true);
    local.attach(keep);
    total.attach(keep);
    entries.add(new Entry(local, total));
    return total;
  }

  /** Backward of this rank's scalar loss through every sum since {@link #begin}, last first. */
  public void backward(NDArray loss) {
    try {
      Autograd.backward(loss);
      for (int i = entries.size() - 1; i >= 0; i--) {
        Entry entry = entries.get(i);
        float[] gradient = allReduce(gradientOf(entry.total()));
        try (NDArray g = entry.local().getManager().create(gradient, entry.local().getShape())) {
          Autograd.backward(entry.local(), g, false);
        }
      }
    } finally {
      entries.clear();
      keep = null;
    }
  }

  /** Wall time in this class's all-reduces so far, waiting for slower ranks included. */
  public long nanos() {
    return nanos;
  }

  private static float[] gradientOf(NDArray leaf) {
    try (NDArray gradient = leaf.getGradient()) {
      return gradient.toFloatArray();
    }
  }

  private float[] allReduce(float[] values) {
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
