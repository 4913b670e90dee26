package dev.contrastive.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * JPEG/PNG files decoded on demand (in the loader's threads) by {@link EncodedImages}: scaled so
 * the shorter side is {@code imageSize}, then centre-cropped to a square.
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
  public void readInto(int index, byte[] target, int offset) {
    Path file = files.get(index);
    byte[] encoded;
    try {
      encoded = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read image (" + e.getMessage() + ")", e);
    }
    EncodedImages.decodeInto(encoded, file.toString(), imageSize, target, offset);
  }
}
