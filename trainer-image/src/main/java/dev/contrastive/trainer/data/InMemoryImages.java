package dev.contrastive.trainer.data;

/** Images held as one byte array of (N, C, H, W) unsigned pixels: CIFAR-10 and synthetic sets. */
public final class InMemoryImages implements LabelledImages {

  private final byte[] pixels;
  private final int[] labels;
  private final int imageSize;

  /**
   * @param pixels {@code labels.length * 3 * imageSize * imageSize} bytes, image after image
   * @param labels one label per image
   */
  public InMemoryImages(byte[] pixels, int[] labels, int imageSize) {
    if ((long) labels.length * CHANNELS * imageSize * imageSize != pixels.length) {
      throw new IllegalArgumentException(
          pixels.length + " pixel bytes do not hold " + labels.length + " images of " + imageSize + " px");
    }
    this.pixels = pixels;
    this.labels = labels;
    this.imageSize = imageSize;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int imageSize() {
    return imageSize;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public void readInto(int index, byte[] target, int offset) {
    int bytes = bytesPerImage();
    System.arraycopy(pixels, index * bytes, target, offset, bytes);
  }
}
