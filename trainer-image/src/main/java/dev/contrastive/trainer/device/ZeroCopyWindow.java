package dev.contrastive.trainer.device;

import ai.djl.ndarray.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A CPU tensor through {@code toByteBuffer(true)}, a view of its native memory: reading and writing
 * are plain memory copies. Never {@code NDArray.set(Buffer)} or {@code copyTo}: on the CPU they
 * rebind the tensor to Java memory and corrupt the native heap.
 */
final class ZeroCopyWindow implements TensorWindow {

  private final ByteBuffer view;

  ZeroCopyWindow(NDArray array) {
    this.view = array.toByteBuffer(true).order(ByteOrder.nativeOrder());
  }

  @Override
  public int byteSize() {
    return view.limit();
  }

  @Override
  public void read(int offset, ByteBuffer into) {
    into.put(into.position(), view, offset, into.remaining());
  }

  @Override
  public void write(int offset, ByteBuffer from) {
    view.put(offset, from, from.position(), from.remaining());
  }
}
