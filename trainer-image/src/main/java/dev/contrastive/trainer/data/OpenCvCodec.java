package dev.contrastive.trainer.data;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast decoder: OpenCV's libjpeg-turbo and libpng (natives inside the openpnp jar). A JPEG whose
 * crop still covers the output at 1/2, 1/4 or 1/8 scale is decoded at that scale (libjpeg scales
 * in the DCT domain, skipping most of the work), then the crop is resized to the output with area
 * averaging when it shrinks and bilinearly when it grows. Where the natives do not load, or with
 * {@code -Dtrainer.imageDecoder=imageio}, {@link #available()} is false and callers use ImageIO.
 */
final class OpenCvCodec {

  /** System property that forces the ImageIO decoder (benchmarks, comparisons). */
  static final String DECODER_PROPERTY = "trainer.imageDecoder";

  private static final Logger LOG = LoggerFactory.getLogger(OpenCvCodec.class);
  private static final int[] REDUCTIONS = {8, 4, 2};

  private OpenCvCodec() {}

  private static final class Loaded {
    static final boolean OK = load();

    private static boolean load() {
      String wanted = System.getProperty(DECODER_PROPERTY, "opencv");
      if (wanted.equals("imageio")) {
        return false;
      }
      try {
        nu.pattern.OpenCV.loadLocally();
        // The loader already decodes one image per thread: OpenCV's own pool would oversubscribe.
        Core.setNumThreads(1);
        return true;
      } catch (Throwable e) { // UnsatisfiedLinkError, unsupported platform: ImageIO still works
        LOG.warn("image decoding: OpenCV's native library did not load ({}); using javax.imageio, several times"
            + " slower", e.toString());
        return false;
      }
    }
  }

  /** Whether the OpenCV natives loaded (loads them on first call). */
  static boolean available() {
    return Loaded.OK;
  }

  /**
   * The largest of 8, 4, 2 by which a JPEG can be shrunk while a crop of {@code cropWidth} x
   * {@code cropHeight} source pixels still covers {@code outSize} x {@code outSize}; 1 otherwise
   * and for PNG (libpng has no reduced decoding).
   */
  static int reduction(ImageHeader header, double cropWidth, double cropHeight, int outSize) {
    if (header.jpeg()) {
      for (int r : REDUCTIONS) {
        if (Math.floor(cropWidth / r) >= outSize && Math.floor(cropHeight / r) >= outSize) {
          return r;
        }
      }
    }
    return 1;
  }

  /**
   * Decodes the crop {@code (left, top, width, height)} (source pixels) of an image resized to
   * {@code outSize} x {@code outSize}, as unsigned (C, H, W) RGB bytes into {@code target}.
   *
   * @return false when OpenCV cannot read the bytes (the caller tries ImageIO, which names the file)
   */
  static boolean cropInto(
      byte[] encoded, ImageHeader header, double left, double top, double width, double height,
      int outSize, byte[] target, int offset) {
    return cropInto(encoded, header, left, top, width, height, outSize, target, offset,
        reduction(header, width, height, outSize));
  }

  /** As above at a given reduction (tests compare it with 1, the full decode). */
  static boolean cropInto(
      byte[] encoded, ImageHeader header, double left, double top, double width, double height,
      int outSize, byte[] target, int offset, int reduction) {
    Mat resized = crop(encoded, header, left, top, width, height, outSize, reduction, false);
    if (resized == null) {
      return false;
    }
    try {
      toPlanarRgb(resized, outSize, target, offset);
      return true;
    } finally {
      resized.release();
    }
  }

  /**
   * The crop resized to {@code outSize} x {@code outSize} as float RGB in [0, 1] (CV_32FC3, resized
   * in float: no rounding to 8 bits, as the batched path), decoded at the largest reduction that
   * still covers it; null when OpenCV cannot read the bytes. The caller releases the result.
   */
  static Mat cropRgb(
      byte[] encoded, ImageHeader header, double left, double top, double width, double height, int outSize) {
    Mat bgr = crop(encoded, header, left, top, width, height, outSize, reduction(header, width, height, outSize),
        true);
    if (bgr != null) {
      Imgproc.cvtColor(bgr, bgr, Imgproc.COLOR_BGR2RGB);
    }
    return bgr;
  }

  /** The crop resized, BGR, 8-bit or float in [0, 1]; null when OpenCV cannot read the bytes. */
  private static Mat crop(
      byte[] encoded, ImageHeader header, double left, double top, double width, double height,
      int outSize, int reduction, boolean unitFloat) {
    int flags = Imgcodecs.IMREAD_IGNORE_ORIENTATION | switch (reduction) {
      case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
      case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
      case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
      default -> Imgcodecs.IMREAD_COLOR;
    };
    MatOfByte bytes = new MatOfByte(encoded);
    Mat decoded = Imgcodecs.imdecode(bytes, flags);
    bytes.release();
    Mat crop = null;
    try {
      if (decoded.empty() || decoded.channels() != 3) {
        return null;
      }
      // libjpeg's reduced size is ceil(side / reduction): scale the crop by the actual ratio.
      double sx = (double) decoded.cols() / header.width();
      double sy = (double) decoded.rows() / header.height();
      int x = clamp((int) Math.round(left * sx), 0, decoded.cols() - 1);
      int y = clamp((int) Math.round(top * sy), 0, decoded.rows() - 1);
      int w = clamp((int) Math.round(width * sx), 1, decoded.cols() - x);
      int h = clamp((int) Math.round(height * sy), 1, decoded.rows() - y);
      crop = decoded.submat(new Rect(x, y, w, h));
      if (unitFloat) {
        Mat region = new Mat();
        crop.convertTo(region, CvType.CV_32FC3, 1 / 255.0);
        crop.release();
        crop = region;
      }
      int interpolation = w >= outSize && h >= outSize ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR;
      Mat resized = new Mat();
      Imgproc.resize(crop, resized, new Size(outSize, outSize), 0, 0, interpolation);
      return resized;
    } finally {
      if (crop != null) {
        crop.release();
      }
      decoded.release();
    }
  }

  private static void toPlanarRgb(Mat bgr, int size, byte[] target, int offset) {
    int plane = size * size;
    byte[] interleaved = new byte[3 * plane];
    bgr.get(0, 0, interleaved);
    for (int p = 0; p < plane; p++) {
      target[offset + p] = interleaved[3 * p + 2];
      target[offset + plane + p] = interleaved[3 * p + 1];
      target[offset + 2 * plane + p] = interleaved[3 * p];
    }
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }
}
