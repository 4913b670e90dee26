package dev.contrastive.trainer.data;

import dev.contrastive.trainer.augment.CropBox;
import dev.contrastive.trainer.augment.RandomResizedCrop;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * The one decoder of encoded images (ImageFolder files, the image column of Hub Parquet shards):
 * JPEG/PNG decoded, its centre square scaled to {@code imageSize} and written as unsigned (C, H, W)
 * bytes. An image already of that square size is copied unscaled, so a lossless (PNG) copy of a
 * data set decodes to exactly its pixels. {@link OpenCvCodec} (libjpeg-turbo, at reduced scale
 * where the square allows) decodes what it can; javax.imageio decodes the rest, and everything
 * when OpenCV's natives are missing.
 *
 * <p>Training views of encoded images skip the square: {@link #decodeCrop} draws the random crop on
 * the size in the image's header and decodes just that, at reduced scale where it still covers
 * the output (with OpenCV only: {@link #cropsAtDecode}).
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

  /**
   * Whether the training loader decodes each view's crop of these images ({@link #decodeCrop}):
   * encoded images, with OpenCV's natives loaded. Otherwise it augments the squares {@link
   * LabelledImages#readInto} gives, batched.
   */
  public static boolean cropsAtDecode(LabelledImages images) {
    return images.isEncoded() && OpenCvCodec.available();
  }

  /**
   * One training view's crop: the box is drawn by {@code crop} from {@code random} on the full
   * image's size (from its header, without decoding), then only what the box needs is decoded and
   * resized to {@code crop.outSize()} (area averaging when it shrinks, bilinear when it grows).
   * Needs OpenCV ({@link #cropsAtDecode}); bytes OpenCV cannot read go through ImageIO.
   *
   * @return RGB, outSize x outSize: float in [0, 1] (CV_32FC3) from OpenCV, 8-bit (CV_8UC3) from
   *     the ImageIO fallback; the caller releases it
   * @throws DataException when the bytes are not a readable image
   */
  public static Mat decodeCrop(EncodedImage image, RandomResizedCrop crop, SplittableRandom random) {
    int out = crop.outSize();
    ImageHeader header = ImageHeader.read(image.bytes());
    if (header != null) {
      CropBox box = crop.box(header.height(), header.width(), random);
      Mat rgb = OpenCvCodec.cropRgb(image.bytes(), header, box.left(), box.top(), box.width(), box.height(), out);
      return rgb != null ? rgb : imageIoCrop(imageIoRead(image.bytes(), image.source()), box, out);
    }
    BufferedImage decoded = imageIoRead(image.bytes(), image.source());
    return imageIoCrop(decoded, crop.box(decoded.getHeight(), decoded.getWidth(), random), out);
  }

  private static Mat imageIoCrop(BufferedImage source, CropBox box, int out) {
    BufferedImage resized = new BufferedImage(out, out, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = resized.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(source, 0, 0, out, out,
          box.left(), box.top(), box.left() + box.width(), box.top() + box.height(), null);
    } finally {
      g.dispose();
    }
    byte[] interleaved = new byte[3 * out * out];
    for (int y = 0; y < out; y++) {
      for (int x = 0; x < out; x++) {
        int rgb = resized.getRGB(x, y);
        int p = 3 * (y * out + x);
        interleaved[p] = (byte) (rgb >> 16);
        interleaved[p + 1] = (byte) (rgb >> 8);
        interleaved[p + 2] = (byte) rgb;
      }
    }
    Mat mat = new Mat(out, out, CvType.CV_8UC3);
    mat.put(0, 0, interleaved);
    return mat;
  }

  /** Which decoder decodes the images this run can: "opencv" or "imageio" (benchmark lines name it). */
  public static String decoderName() {
    return OpenCvCodec.available() ? "opencv" : "imageio";
  }

  /** The fallback: the JDK's decoders, scaled with Java2D. */
  static void imageIoInto(byte[] encoded, String source, int imageSize, byte[] target, int offset) {
    BufferedImage decoded = imageIoRead(encoded, source);
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

  private static BufferedImage imageIoRead(byte[] encoded, String source) {
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(new ByteArrayInputStream(encoded));
    } catch (IOException | RuntimeException e) {
      throw new DataException(source + ": cannot decode image (" + e.getMessage() + ")", e);
    }
    if (decoded == null) {
      throw new DataException(source + ": not a readable JPEG or PNG image");
    }
    return decoded;
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
