package dev.contrastive.trainer.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/** Copies chosen images into one uint8 (N, 3, S, S) array. */
public final class PixelBatch {

  private PixelBatch() {}

  /**
   * @throws DataException when an image cannot be read
   */
  public static NDArray of(NDManager manager, LabelledImages images, int[] indices) {
    int bytes = images.bytesPerImage();
    byte[] pixels = new byte[Math.multiplyExact(indices.length, bytes)];
    for (int i = 0; i < indices.length; i++) {
      images.readInto(indices[i], pixels, i * bytes);
    }
    ByteBuffer buffer = manager.allocateDirect(pixels.length);
    buffer.put(pixels).rewind();
    int size = images.imageSize();
    return manager.create(buffer, new Shape(indices.length, LabelledImages.CHANNELS, size, size), DataType.UINT8);
  }

  /** Labels of {@code indices}. */
  public static int[] labels(LabelledImages images, int[] indices) {
    int[] labels = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      labels[i] = images.label(indices[i]);
    }
    return labels;
  }
}
