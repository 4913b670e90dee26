package dev.contrastive.trainer.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * A tensor on any device, copied through host memory. The host side is a CPU tensor laid over the
 * caller's buffer (DJL's {@code create} of a direct buffer wraps it without a copy on the CPU), and
 * both directions are an index-put into the destination, i.e. PyTorch's in-place {@code copy_}:
 * device to host writes into the caller's buffer, host to device writes into the real tensor's
 * storage. In DJL 0.36 on CUDA, {@code toByteBuffer} returns a host copy that writes cannot reach,
 * and {@code set(Buffer)} re-points the tensor at new storage ({@code set_}) instead of copying
 * into it; neither is used. On the CPU the very same calls run (the device hop is a no-op), which is
 * how the tests prove this path here.
 *
 * <p>DJL 0.36 offers no pinned host memory, so the copies go through pageable memory; both are
 * synchronous, so the caller's buffer may be reused as soon as a call returns.
 */
final class StagedWindow implements TensorWindow {

  /** Every element of a 1-D array (an empty NDIndex is not valid for PyTorch's index_put_). */
  private static final NDIndex ALL = new NDIndex(":");

  private final NDArray array;
  private final NDManager host;
  private final int floats;
  private NDArray flat;

  StagedWindow(NDArray array, NDManager scope) {
    // The copies DJL makes while moving across devices attach to the array's manager: borrow the
    // array into the scope so they are freed with it, and the array returns to its owner then.
    array.tempAttach(scope);
    this.array = array;
    this.host = scope.newSubManager(Device.cpu());
    this.floats = Math.toIntExact(array.size());
  }

  @Override
  public int byteSize() {
    return floats * Float.BYTES;
  }

  @Override
  public void read(int offset, ByteBuffer into) {
    try (NDArray hostPart = hostView(into)) {
      if (whole(offset, into.remaining())) {
        hostPart.set(ALL, flat());
      } else {
        try (NDArray part = flat().get(slice(offset, into.remaining()))) {
          hostPart.set(ALL, part);
        }
      }
    }
  }

  @Override
  public void write(int offset, ByteBuffer from) {
    try (NDArray hostPart = hostView(from)) {
      flat().set(whole(offset, from.remaining()) ? ALL : slice(offset, from.remaining()), hostPart);
    }
  }

  private boolean whole(int offset, int bytes) {
    return offset == 0 && bytes == byteSize();
  }

  /**
   * A 1-D alias of the tensor's storage, detached from autograd: PyTorch refuses in-place writes to
   * a parameter (a leaf that requires a gradient) wherever grad mode is on, and grad mode is per
   * thread, so this is the {@code p.data.copy_()} of PyTorch's DDP. Parameters and gradients are
   * contiguous, so the reshape is a view, not a copy, and index-puts into it land in the tensor.
   */
  private NDArray flat() {
    if (flat == null) {
      try (NDArray detached = array.stopGradient()) {
        flat = detached.reshape(-1);
      }
    }
    return flat;
  }

  private NDArray hostView(ByteBuffer bytes) {
    int n = bytes.remaining();
    if (n % Float.BYTES != 0) {
      throw new IllegalArgumentException("whole floats only, got " + n + " bytes");
    }
    return host.create(bytes.slice(), new Shape(n / Float.BYTES), DataType.FLOAT32);
  }

  private static NDIndex slice(int offsetBytes, int bytes) {
    long from = offsetBytes / Float.BYTES;
    return new NDIndex().addSliceDim(from, from + bytes / Float.BYTES);
  }
}
