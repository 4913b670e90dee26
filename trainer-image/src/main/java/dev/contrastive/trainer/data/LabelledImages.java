package dev.contrastive.trainer.data;

/**
 * A fixed, indexed set of square RGB images with integer labels. Pixels are unsigned bytes in
 * (C, H, W) order, C = 3. Implementations must allow {@link #readInto} from several threads at
 * once (the prefetching loader decodes in parallel).
 */
public interface LabelledImages {

  int CHANNELS = 3;

  /** Number of images. */
  int size();

  /** Side in pixels of every image. */
  int imageSize();

  /** Label of image {@code index}, in {@code [0, numClasses)}. */
  int label(int index);

  /**
   * Copies image {@code index} as {@code 3 * imageSize * imageSize} unsigned bytes in (C, H, W)
   * order into {@code target} at {@code offset}.
   *
   * @throws DataException when the image cannot be read or decoded
   */
  void readInto(int index, byte[] target, int offset);

  /** Number of bytes of one image. */
  default int bytesPerImage() {
    return CHANNELS * imageSize() * imageSize();
  }

  /** The images at {@code indices}, in that order, without copying pixels. */
  default LabelledImages subset(int[] indices) {
    return new SubsetImages(this, indices);
  }
}
