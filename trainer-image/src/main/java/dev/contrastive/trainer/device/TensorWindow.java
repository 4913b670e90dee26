package dev.contrastive.trainer.device;

import java.nio.ByteBuffer;

/**
 * One tensor's float32 values as native-order bytes, read into and written back from host buffers.
 * Offsets are byte offsets into the flattened tensor; whole floats only.
 */
public interface TensorWindow {

  /** Size of the tensor in bytes. */
  int byteSize();

  /**
   * Copies the tensor's bytes {@code [offset, offset + into.remaining())} into {@code into}
   * between its position and limit; {@code into}'s position does not move.
   */
  void read(int offset, ByteBuffer into);

  /**
   * Overwrites the tensor's bytes {@code [offset, offset + from.remaining())} in place with {@code
   * from}'s bytes between its position and limit; {@code from}'s position does not move.
   */
  void write(int offset, ByteBuffer from);
}
