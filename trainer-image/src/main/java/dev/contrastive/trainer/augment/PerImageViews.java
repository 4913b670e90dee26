package dev.contrastive.trainer.augment;

import dev.contrastive.api.spec.AugmentationSpec;
import java.util.SplittableRandom;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * The SimCLR steps after the crop, one image at a time with OpenCV on the small output: horizontal
 * flip, colour jitter, random greyscale, Gaussian blur, normalisation. For encoded images, whose
 * crop is decoded straight from the JPEG/PNG. Each step draws from the image's generator what the
 * batched step draws ({@link HorizontalFlip}, {@link ColorJitter}, {@link RandomGrayscale}, {@link
 * GaussianBlur}), in the same order, and computes the same function in float32 (blur with
 * reflect-101 borders, as the batched blur), so an image gets the same views either way up to
 * float rounding (PerImageViewsTest). Needs OpenCV's natives loaded.
 */
public final class PerImageViews {

  private final double flipProbability;
  private final double jitterProbability;
  private final double jitterStrength;
  private final double grayscaleProbability;
  private final boolean blur;
  private final double blurProbability;
  private final float[] mean;
  private final float[] std;

  PerImageViews(AugmentationSpec spec, int imageSize, float[] mean, float[] std) {
    this.flipProbability = spec.flipProbability;
    this.jitterProbability = spec.colorJitterProbability;
    this.jitterStrength = spec.colorJitterStrength;
    this.grayscaleProbability = spec.grayscaleProbability;
    this.blur = imageSize >= spec.blurMinImageSize;
    this.blurProbability = spec.blurProbability;
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /** Luma as one channel and as three equal channels (ITU-R 601, {@link Grayscale#WEIGHTS}). */
  private static final class Matrices {
    static final Mat LUMA = rows(1);
    static final Mat LUMA_RGB = rows(3);

    private static Mat rows(int n) {
      Mat m = new Mat(n, 3, CvType.CV_32F);
      for (int r = 0; r < n; r++) {
        m.put(r, 0, Grayscale.WEIGHTS);
      }
      return m;
    }
  }

  /**
   * Augments one cropped view and writes it normalised as float (3, S, S) into {@code target}.
   *
   * @param rgb the crop resized to the output, S x S RGB: float in [0, 1] (CV_32FC3) or 8-bit
   *     (CV_8UC3); not released
   */
  public void augment(Mat rgb, SplittableRandom random, float[] target, int offset) {
    Mat image = new Mat();
    Mat scratch = new Mat();
    try {
      if (rgb.depth() == CvType.CV_8U) {
        rgb.convertTo(image, CvType.CV_32FC3, 1 / 255.0);
      } else {
        rgb.copyTo(image);
      }
      if (random.nextDouble() < flipProbability) {
        Core.flip(image, image, 1);
      }
      colorJitter(image, scratch, random);
      if (random.nextDouble() < grayscaleProbability) {
        Core.transform(image, scratch, Matrices.LUMA_RGB);
        scratch.copyTo(image);
      }
      if (blur) {
        boolean blurred = random.nextDouble() < blurProbability;
        double sigma = random.nextDouble(GaussianBlur.SIGMA_MIN, GaussianBlur.SIGMA_MAX);
        if (blurred) {
          int side = 2 * GaussianBlur.radius(image.rows()) + 1;
          Imgproc.GaussianBlur(image, scratch, new Size(side, side), sigma, sigma, Core.BORDER_REFLECT_101);
          scratch.copyTo(image);
        }
      }
      writeNormalised(image, target, offset);
    } finally {
      image.release();
      scratch.release();
    }
  }

  /** {@link ColorJitter} for one image: brightness, contrast, saturation, hue, each clipped. */
  private void colorJitter(Mat image, Mat scratch, SplittableRandom random) {
    if (!(random.nextDouble() < jitterProbability)) {
      return;
    }
    double spread = 0.8 * jitterStrength;
    float brightness = ColorJitter.factor(random, spread);
    float contrast = ColorJitter.factor(random, spread);
    float saturation = ColorJitter.factor(random, spread);
    double hue = jitterStrength > 0 ? random.nextDouble(-0.2 * jitterStrength, 0.2 * jitterStrength) : 0;

    image.convertTo(image, -1, brightness, 0);
    clip(image);
    Core.transform(image, scratch, Matrices.LUMA);
    float meanLuma = (float) Core.mean(scratch).val[0];
    image.convertTo(image, -1, contrast, (1 - contrast) * meanLuma);
    clip(image);
    Core.transform(image, scratch, Matrices.LUMA_RGB);
    Core.addWeighted(image, saturation, scratch, 1 - saturation, 0, image);
    clip(image);
    float[] hueMatrix = new float[9];
    ColorJitter.writeHueMatrix(hueMatrix, 0, hue);
    Mat rotation = new Mat(3, 3, CvType.CV_32F);
    try {
      rotation.put(0, 0, hueMatrix);
      Core.transform(image, scratch, rotation);
      scratch.copyTo(image);
      clip(image);
    } finally {
      rotation.release();
    }
  }

  private static void clip(Mat image) {
    Core.min(image, Scalar.all(1), image);
    Core.max(image, Scalar.all(0), image);
  }

  private void writeNormalised(Mat image, float[] target, int offset) {
    int plane = image.rows() * image.cols();
    float[] interleaved = new float[3 * plane];
    image.get(0, 0, interleaved);
    for (int c = 0; c < 3; c++) {
      float m = mean[c];
      float s = std[c];
      int base = offset + c * plane;
      for (int p = 0; p < plane; p++) {
        target[base + p] = (interleaved[3 * p + c] - m) / s;
      }
    }
  }
}
