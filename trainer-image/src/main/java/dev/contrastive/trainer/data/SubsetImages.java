package dev.contrastive.trainer.data;

/** A view of some images of another set, by index. */
final class SubsetImages implements LabelledImages {

  private final LabelledImages base;
  private final int[] indices;

  SubsetImages(LabelledImages base, int[] indices) {
    for (int index : indices) {
      if (index < 0 || index >= base.size()) {
        throw new IndexOutOfBoundsException("index " + index + " outside [0, " + base.size() + ")");
      }
    }
    this.base = base;
    this.indices = indices.clone();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int imageSize() {
    return base.imageSize();
  }

  @Override
  public int label(int index) {
    return base.label(indices[index]);
  }

  @Override
  public boolean isEncoded() {
    return base.isEncoded();
  }

  @Override
  public EncodedImage encoded(int index) {
    return base.encoded(indices[index]);
  }

  @Override
  public void readInto(int index, byte[] target, int offset) {
    base.readInto(indices[index], target, offset);
  }
}
