package dev.contrastive.trainer.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel glue between DJL and the {@link ProcessGroup}: averages gradients after backward
 * (before the optimizer step) and copies rank 0's parameters to every rank at the start.
 *
 * <p>Tensors are read and written only through {@code toByteBuffer(true)}, a zero-copy view of the
 * native tensor on CPU. Writing back through that view is exact; {@code NDArray.set(Buffer)} and
 * {@code copyTo} are not used because on CPU they rebind the tensor to Java memory and corrupt the
 * native heap (PLATFORM.md). The tensors are packed into one reused direct bucket, so each bucket
 * costs one all-reduce whatever the number of small tensors.
 */
public final class GradientAllReducer {

  private final ProcessGroup group;
  private final ByteBuffer bucket;
  private long allReduceNanos;

  public GradientAllReducer(ProcessGroup group) {
    this.group = group;
    this.bucket = ByteBuffer.allocateDirect(group.bucketBytes()).order(ByteOrder.nativeOrder());
  }

  /** Replaces every gradient by its mean over all ranks. Call on every rank after backward. */
  public void allReduceGradients(ParameterList parameters) {
    if (group.worldSize() == 1) {
      return;
    }
    long start = System.nanoTime();
    List<NDArray> gradients = new ArrayList<>();
    try {
      List<ByteBuffer> views = new ArrayList<>();
      for (Pair<String, Parameter> entry : parameters) {
        Parameter parameter = entry.getValue();
        if (parameter.requiresGradient() && parameter.isInitialized()) {
          NDArray gradient = parameter.getArray().getGradient();
          gradients.add(gradient);
          views.add(view(entry.getKey(), gradient));
        }
      }
      exchange(views, true);
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

  /** Overwrites every parameter (trainable or not, e.g. batch-norm statistics) with rank 0's. */
  public void broadcastParameters(ParameterList parameters) {
    if (group.worldSize() == 1) {
      return;
    }
    List<ByteBuffer> views = new ArrayList<>();
    for (Pair<String, Parameter> entry : parameters) {
      if (entry.getValue().isInitialized()) {
        views.add(view(entry.getKey(), entry.getValue().getArray()));
      }
    }
    exchange(views, false);
  }

  private static ByteBuffer view(String name, NDArray array) {
    if (array.getDataType() != DataType.FLOAT32) {
      throw new IllegalStateException(
          "parameter " + name + " is " + array.getDataType() + "; only float32 is exchanged");
    }
    return array.toByteBuffer(true).order(ByteOrder.nativeOrder());
  }

  /**
   * Streams the concatenation of all views through the bucket: fill, exchange, write back. A tensor
   * larger than the bucket simply spans several buckets.
   */
  private void exchange(List<ByteBuffer> views, boolean allReduce) {
    int fillView = 0;
    int fillOffset = 0;
    while (fillView < views.size()) {
      int firstView = fillView;
      int firstOffset = fillOffset;
      bucket.clear();
      while (fillView < views.size() && bucket.hasRemaining()) {
        ByteBuffer source = views.get(fillView);
        int n = Math.min(bucket.remaining(), source.limit() - fillOffset);
        bucket.put(bucket.position(), source, fillOffset, n).position(bucket.position() + n);
        fillOffset += n;
        if (fillOffset == source.limit()) {
          fillView++;
          fillOffset = 0;
        }
      }
      bucket.flip();
      if (allReduce) {
        group.allReduce(bucket, true);
      } else {
        group.broadcast(bucket);
      }
      writeBack(views, firstView, firstOffset);
    }
  }

  private void writeBack(List<ByteBuffer> views, int view, int offset) {
    int position = 0;
    while (position < bucket.limit()) {
      ByteBuffer target = views.get(view);
      int n = Math.min(bucket.limit() - position, target.limit() - offset);
      target.put(offset, bucket, position, n);
      position += n;
      offset += n;
      if (offset == target.limit()) {
        view++;
        offset = 0;
      }
    }
  }
}
