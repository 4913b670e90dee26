package dev.contrastive.trainer.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.AugmentationSpec;
import dev.contrastive.trainer.data.EncodedImages;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * The per-image OpenCV steps (crop-at-decode path) against the batched DJL steps on the same
 * cropped image and generator: same draws, same function up to float rounding.
 */
class PerImageViewsTest {

  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};
  private static final int SIZE = 64;

  @BeforeAll
  static void openCv() {
    assumeTrue(EncodedImages.decoderName().equals("opencv"), "OpenCV's natives did not load here");
  }

  @Test
  void defaultSettingsGiveTheBatchedStepsViews() {
    compare(new AugmentationSpec(), 24);
  }

  @Test
  void everyStepOnGivesTheBatchedStepsViews() {
    AugmentationSpec all = new AugmentationSpec();
    all.flipProbability = 1.0;
    all.colorJitterProbability = 1.0;
    all.colorJitterStrength = 1.0;
    all.grayscaleProbability = 0.5;
    all.blurProbability = 1.0;
    compare(all, 12);
  }

  private static void compare(AugmentationSpec spec, int images) {
    PerImageViews perImage = new PerImageViews(spec, SIZE, MEAN, STD);
    try (NDManager manager = NDManager.newBaseManager()) {
      double worst = 0;
      int changed = 0;
      for (int seed = 0; seed < images; seed++) {
        byte[] rgb = randomImage(seed);
        SplittableRandom forOpenCv = new SplittableRandom(100 + seed);
        SplittableRandom forDjl = new SplittableRandom(100 + seed);
        float[] openCv = new float[3 * SIZE * SIZE];
        Mat mat = new Mat(SIZE, SIZE, CvType.CV_8UC3);
        mat.put(0, 0, rgb);
        perImage.augment(mat, forOpenCv, openCv, 0);
        mat.release();

        float[] batched = batchedSteps(manager, spec, rgb, forDjl);
        float[] plain = batchedSteps(manager, noChange(), rgb, new SplittableRandom(1));

        assertThat(forOpenCv.nextLong()).as("image %d: the same number of draws", seed).isEqualTo(forDjl.nextLong());
        for (int i = 0; i < openCv.length; i++) {
          worst = Math.max(worst, Math.abs(openCv[i] - batched[i]));
        }
        if (maxAbsDiff(batched, plain) > 0.1) {
          changed++;
        }
      }
      System.out.printf("per-image vs batched, %d images: largest difference %.2e%n", images, worst);
      // Normalised values span about 9 (std 0.22); 1e-3 is under a quarter of a grey level.
      assertThat(worst).as("largest |OpenCV - batched| of a normalised value").isLessThan(1e-3);
      assertThat(changed).as("images the augmentation changed").isGreaterThan(images / 2);
    }
  }

  /** The batched path's steps after the crop, in its order, on one image (N = 1). */
  private static float[] batchedSteps(NDManager manager, AugmentationSpec spec, byte[] rgb, SplittableRandom random) {
    float[] chw = new float[rgb.length];
    int plane = SIZE * SIZE;
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        chw[c * plane + p] = rgb[3 * p + c] & 0xFF;
      }
    }
    SplittableRandom[] randoms = {random};
    NDArray image = manager.create(chw, new Shape(1, 3, SIZE, SIZE)).toType(DataType.UINT8, false);
    NDArray x = SimClrAugmenter.toUnitRange(image);
    x = new HorizontalFlip(spec.flipProbability).apply(x, randoms);
    x = new ColorJitter(spec.colorJitterProbability, spec.colorJitterStrength).apply(x, randoms);
    x = new RandomGrayscale(spec.grayscaleProbability).apply(x, randoms);
    x = new GaussianBlur(spec.blurProbability).apply(x, randoms);
    return new Normalize(MEAN, STD).apply(x).toFloatArray();
  }

  private static AugmentationSpec noChange() {
    AugmentationSpec none = new AugmentationSpec();
    none.flipProbability = 0.0;
    none.colorJitterProbability = 0.0;
    none.grayscaleProbability = 0.0;
    none.blurProbability = 0.0;
    return none;
  }

  /** Smooth colour gradients with noise: saturated and grey areas, edges for the blur. */
  private static byte[] randomImage(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] rgb = new byte[3 * SIZE * SIZE];
    double a = random.nextDouble(0.5, 3);
    double b = random.nextDouble(0.5, 3);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int p = 3 * (y * SIZE + x);
        rgb[p] = (byte) clamp(128 + 120 * Math.sin(a * x / 10.0) + random.nextInt(-20, 21));
        rgb[p + 1] = (byte) clamp(128 + 120 * Math.cos(b * y / 10.0) + random.nextInt(-20, 21));
        rgb[p + 2] = (byte) clamp((x + y) * 2 + random.nextInt(-20, 21));
      }
    }
    return rgb;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
