package dev.contrastive.trainer.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import dev.contrastive.trainer.device.HostTransfer;
import dev.contrastive.trainer.device.TensorWindow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel glue between DJL and the {@link ProcessGroup}: averages gradients after backward
 * (before the optimizer step) and copies rank 0's parameters to every rank at the start.
 *
 * <p>Tensors are packed into one reused direct bucket, so each bucket costs one all-reduce
 * whatever the number of small tensors. How their bytes reach the bucket and get back is the
 * {@link HostTransfer}: a zero-copy view on the CPU, host staging with in-place copies elsewhere.
 * Arrays made on the way live in a scope closed after each exchange, so nothing accumulates.
 */
public final class GradientAllReducer {

  private final ProcessGroup group;
  private final HostTransfer transfer;
  private final AllReduceAlgorithm algorithm;
  private final ByteBuffer bucket;
  private long allReduceNanos;
  private long bytesReduced;

  /** A reducer for CPU tensors through zero-copy views. */
  public GradientAllReducer(ProcessGroup group) {
    this(group, HostTransfer.ZERO_COPY);
  }

  /** Gradients all-reduced by the flat ring of {@code group}. */
  public GradientAllReducer(ProcessGroup group, HostTransfer transfer) {
    this(group, transfer, AllReduceAlgorithm.flat(group));
  }

  /**
   * @param group the gang; broadcasts go through its ring
   * @param transfer how tensors reach the host buckets
   * @param algorithm how the gradient buckets are all-reduced (flat or two-level)
   */
  public GradientAllReducer(ProcessGroup group, HostTransfer transfer, AllReduceAlgorithm algorithm) {
    this.group = group;
    this.transfer = transfer;
    this.algorithm = algorithm;
    this.bucket = ByteBuffer.allocateDirect(group.bucketBytes()).order(ByteOrder.nativeOrder());
  }

  public HostTransfer transfer() {
    return transfer;
  }

  /** Replaces every gradient by its mean over all ranks. Call on every rank after backward. */
  public void allReduceGradients(ParameterList parameters) {
    if (group.worldSize() == 1) {
      return;
    }
    long start = System.nanoTime();
    List<NDArray> gradients = new ArrayList<>();
    try (NDManager scope = scope(parameters)) {
      List<TensorWindow> windows = new ArrayList<>();
      for (Pair<String, Parameter> entry : parameters) {
        Parameter parameter = entry.getValue();
        if (parameter.requiresGradient() && parameter.isInitialized()) {
          NDArray gradient = parameter.getArray().getGradient();
          gradients.add(gradient);
          windows.add(transfer.window(entry.getKey(), gradient, scope));
        }
      }
      exchange(windows, true);
      bytesReduced += windows.stream().mapToLong(TensorWindow::byteSize).sum();
    } finally {
      gradients.forEach(NDArray::close);
      allReduceNanos += System.nanoTime() - start;
    }
  }

  /**
   * Wall time spent in {@link #allReduceGradients} so far, waiting for slower ranks included: the
   * step benchmark's all-reduce share.
   */
  public long allReduceNanos() {
    return allReduceNanos;
  }

  /** Gradient bytes this rank handed to {@link #allReduceGradients} so far. */
  public long bytesReduced() {
    return bytesReduced;
  }

  /** Overwrites every parameter (trainable or not, e.g. batch-norm statistics) with rank 0's. */
  public void broadcastParameters(ParameterList parameters) {
    if (group.worldSize() == 1) {
      return;
    }
    try (NDManager scope = scope(parameters)) {
      List<TensorWindow> windows = new ArrayList<>();
      for (Pair<String, Parameter> entry : parameters) {
        if (entry.getValue().isInitialized()) {
          windows.add(transfer.window(entry.getKey(), entry.getValue().getArray(), scope));
        }
      }
      exchange(windows, false);
    }
  }

  /** A manager on the parameters' device for the arrays one exchange creates. */
  private static NDManager scope(ParameterList parameters) {
    for (Pair<String, Parameter> entry : parameters) {
      if (entry.getValue().isInitialized()) {
        return entry.getValue().getArray().getManager().newSubManager();
      }
    }
    return NDManager.newBaseManager();
  }

  /**
   * Streams the concatenation of all windows through the bucket: fill, exchange, write back. A
   * tensor larger than the bucket simply spans several buckets.
   */
  private void exchange(List<TensorWindow> windows, boolean allReduce) {
    int fillWindow = 0;
    int fillOffset = 0;
    while (fillWindow < windows.size()) {
      int firstWindow = fillWindow;
      int firstOffset = fillOffset;
      bucket.clear();
      while (fillWindow < windows.size() && bucket.hasRemaining()) {
        TensorWindow source = windows.get(fillWindow);
        int n = Math.min(bucket.remaining(), source.byteSize() - fillOffset);
        if (n > 0) {
          source.read(fillOffset, bucket.slice(bucket.position(), n));
          bucket.position(bucket.position() + n);
        }
        fillOffset += n;
        if (fillOffset == source.byteSize()) {
          fillWindow++;
          fillOffset = 0;
        }
      }
      bucket.flip();
      if (allReduce) {
        algorithm.allReduceGradients(bucket, true);
      } else {
        group.broadcast(bucket);
      }
      writeBack(windows, firstWindow, firstOffset);
    }
  }

  private void writeBack(List<TensorWindow> windows, int window, int offset) {
    int position = 0;
    while (position < bucket.limit()) {
      TensorWindow target = windows.get(window);
      int n = Math.min(bucket.limit() - position, target.byteSize() - offset);
      if (n > 0) {
        target.write(offset, bucket.slice(position, n));
      }
      position += n;
      offset += n;
      if (offset == target.byteSize()) {
        window++;
        offset = 0;
      }
    }
  }
}
