package dev.contrastive.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * JPEG/PNG files decoded on demand (in the loader's threads) by {@link EncodedImages}: scaled so
 * the shorter side is {@code imageSize}, then centre-cropped to a square (evaluation, statistics);
 * training views crop the full image ({@link #isEncoded()}).
 */
public final class ImageFolderImages implements LabelledImages {

  private final List<Path> files;
  private final int[] labels;
  private final int imageSize;

  public ImageFolderImages(List<Path> files, int[] labels, int imageSize) {
    this.files = List.copyOf(files);
    this.labels = labels.clone();
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
  public boolean isEncoded() {
    return true;
  }

  @Override
  public EncodedImage encoded(int index) {
    Path file = files.get(index);
    try {
      return new EncodedImage(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new DataException(file + ": cannot read image (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void readInto(int index, byte[] target, int offset) {
    EncodedImage image = encoded(index);
    EncodedImages.decodeInto(image.bytes(), image.source(), imageSize, target, offset);
  }
}
