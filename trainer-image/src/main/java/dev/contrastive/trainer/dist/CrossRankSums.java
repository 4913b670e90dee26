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

  /** {@code total} is the leaf; {@code summed}: an all-reduce (else a cut that passes the gradient on). */
  private record Entry(NDArray local, NDArray total, boolean summed) {}

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
    NDArray total = ownCopy(local.getManager(), summed, local.getShape());
    total.setRequiresGradient(true);
    local.attach(keep);
    total.attach(keep);
    entries.add(new Entry(local, total, true));
    return total;
  }

  /**
   * A leaf with {@code input}'s values: the graph is cut there (the input of a synchronised
   * BatchNorm) and {@link #backward} passes the leaf's gradient on to {@code input} once every
   * later sum and cut has sent its share back, so each part of the graph is passed a bounded
   * number of times instead of once per later collective.
   */
  public NDArray cut(NDArray input) {
    if (keep == null) {
      throw new IllegalStateException("begin() a step before cutting the graph");
    }
    NDArray leaf = input.stopGradient();
    leaf.setRequiresGradient(true);
    input.attach(keep);
    leaf.attach(keep);
    entries.add(new Entry(input, leaf, false));
    return leaf;
  }

  /** Backward of this rank's scalar loss through every sum since {@link #begin}, last first. */
  public void backward(NDArray loss) {
    try {
      // After a cut, the part of the graph between two cuts may be reached from several later
      // ones (a skip connection), so it must survive each pass; without cuts it is passed once.
      boolean keepGraph = entries.stream().anyMatch(entry -> !entry.summed());
      Autograd.backward(loss, keepGraph);
      for (int i = entries.size() - 1; i >= 0; i--) {
        Entry entry = entries.get(i);
        if (entry.summed()) {
          float[] gradient = allReduce(gradientOf(entry.total()));
          try (NDArray g = ownCopy(entry.local().getManager(), gradient, entry.local().getShape())) {
            Autograd.backward(entry.local(), g, keepGraph);
          }
        } else {
          try (NDArray g = entry.total().getGradient()) {
            Autograd.backward(entry.local(), g, keepGraph);
          }
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

  /**
   * An array that owns its storage: {@code create} from Java data may leave libtorch reading a
   * buffer that the JVM can collect, and these arrays outlive the call by a whole backward.
   */
  private static NDArray ownCopy(NDManager manager, float[] values, ai.djl.ndarray.types.Shape shape) {
    try (NDArray borrowed = manager.create(values, shape)) {
      return borrowed.duplicate();
    }
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
