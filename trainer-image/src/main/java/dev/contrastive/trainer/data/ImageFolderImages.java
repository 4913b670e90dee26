package dev.contrastive.trainer.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * JPEG/PNG files decoded on demand (in the loader's threads) and scaled so the shorter side is
 * {@code imageSize}, then centre-cropped to a square.
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
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DataException(file + ": cannot decode image (" + e.getMessage() + ")", e);
    }
    if (decoded == null) {
      throw new DataException(file + ": not a readable JPEG or PNG image");
    }
    BufferedImage square = scaleAndCrop(decoded);
    int plane = imageSize * imageSize;
    for (int y = 0; y < imageSize; y++) {
      for (int x = 0; x < imageSize; x++) {
        int rgb = square.getRGB(x, y);
        int p = offset + y * imageSize + x;
        target[p] = (byte) (rgb >> 16);
        target[p + plane] = (byte) (rgb >> 8);
        target[p + 2 * plane] = (byte) rgb;
      }
    }
  }

  private BufferedImage scaleAndCrop(BufferedImage source) {
    double scale = (double) imageSize / Math.min(source.getWidth(), source.getHeight());
    int width = Math.max(imageSize, (int) Math.round(source.getWidth() * scale));
    int height = Math.max(imageSize, (int) Math.round(source.getHeight() * scale));
    BufferedImage square = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = square.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(source, -(width - imageSize) / 2, -(height - imageSize) / 2, width, height, null);
    } finally {
      g.dispose();
    }
    return square;
  }
}
