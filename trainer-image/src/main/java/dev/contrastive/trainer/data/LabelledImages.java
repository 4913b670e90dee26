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

  /**
   * Whether the images are stored encoded (JPEG/PNG files, Hub rows): the training loader then
   * decodes each view's random crop from the full image ({@link EncodedImages#decodeCrop}) instead
   * of augmenting the square {@link #readInto} gives.
   */
  default boolean isEncoded() {
    return false;
  }

  /**
   * The stored bytes of image {@code index}; only for {@link #isEncoded()} sets.
   *
   * @throws DataException when the image cannot be read
   */
  default EncodedImage encoded(int index) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " holds decoded pixels");
  }

  /** Number of bytes of one image. */
  default int bytesPerImage() {
    return CHANNELS * imageSize() * imageSize();
  }

  /** The images at {@code indices}, in that order, without copying pixels. */
  default LabelledImages subset(int[] indices) {
    return new SubsetImages(this, indices);
  }
}
