package dev.contrastive.trainer.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * The one decoder of encoded images (ImageFolder files, the image column of Hub Parquet shards):
 * JPEG/PNG decoded, its centre square scaled to {@code imageSize} and written as unsigned (C, H, W)
 * bytes. An image already of that square size is copied unscaled, so a lossless (PNG) copy of a
 * data set decodes to exactly its pixels. {@link OpenCvCodec} (libjpeg-turbo, at reduced scale
 * where the square allows) decodes what it can; javax.imageio decodes the rest, and everything
 * when OpenCV's natives are missing.
 */
public final class EncodedImages {

  private EncodedImages() {}

  /**
   * @param source names the image in messages (a file, or a shard and row)
   * @throws DataException when the bytes are not a readable JPEG or PNG image
   */
  public static void decodeInto(byte[] encoded, String source, int imageSize, byte[] target, int offset) {
    ImageHeader header = ImageHeader.read(encoded);
    if (header != null && OpenCvCodec.available()) {
      int side = Math.min(header.width(), header.height());
      int left = (header.width() - side) / 2;
      int top = (header.height() - side) / 2;
      if (OpenCvCodec.cropInto(encoded, header, left, top, side, side, imageSize, target, offset)) {
        return;
      }
    }
    imageIoInto(encoded, source, imageSize, target, offset);
  }

  /** Which decoder decodes the images this run can: "opencv" or "imageio" (benchmark lines name it). */
  public static String decoderName() {
    return OpenCvCodec.available() ? "opencv" : "imageio";
  }

  /** The fallback: the JDK's decoders, scaled with Java2D. */
  static void imageIoInto(byte[] encoded, String source, int imageSize, byte[] target, int offset) {
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw new DataException(source + ": cannot decode image (" + e.getMessage() + ")", e);
    }
    if (decoded == null) {
      throw new DataException(source + ": not a readable JPEG or PNG image");
    }
    BufferedImage square = decoded.getWidth() == imageSize && decoded.getHeight() == imageSize
        ? decoded : scaleAndCrop(decoded, imageSize);
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

  private static BufferedImage scaleAndCrop(BufferedImage source, int imageSize) {
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
