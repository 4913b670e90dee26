package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast decoder against itself at full scale and against the ImageIO fallback. Where OpenCV's
 * natives cannot load (the suite must pass there too) these tests are skipped with the reason.
 */
class OpenCvCodecTest {

  /** A 1200 x 900 photo-like image (shading, texture, edges, noise) as ImageIO's default JPEG. */
  private static byte[] photo;

  @BeforeAll
  static void loadAndEncode() throws IOException {
    assumeTrue(OpenCvCodec.available(), "OpenCV's natives did not load here (see the log line)");
    photo = ImageHeaderTest.encode(photoLike(1200, 900, 4), "jpg");
  }

  @Test
  void picksTheLargestReductionAtWhichTheCropStillCoversTheOutput() {
    ImageHeader jpeg = new ImageHeader(1200, 900, true);

    assertThat(OpenCvCodec.reduction(jpeg, 900, 900, 224)).isEqualTo(4); // 225 >= 224
    assertThat(OpenCvCodec.reduction(jpeg, 900, 600, 224)).isEqualTo(2); // 600/4 = 150 < 224
    assertThat(OpenCvCodec.reduction(jpeg, 1200, 900, 112)).isEqualTo(8);
    assertThat(OpenCvCodec.reduction(jpeg, 375, 375, 224)).isEqualTo(1);
    assertThat(OpenCvCodec.reduction(new ImageHeader(1200, 900, false), 900, 900, 224)).isEqualTo(1);
  }

  /**
   * Tolerance: on this image, the reduced decode (1/4 and 1/2) of a crop differs from the full
   * decode of the same region area-resized by under 2.0 grey levels on average and at most 8 at the
   * 99th percentile (texture near the output's Nyquist frequency differs most: libjpeg's DCT scaling
   * is not a box filter). The region is the crop with its corner rounded to the reduced pixel grid
   * (under half a reduced pixel: under half an output pixel). A crop shifted by one output pixel
   * differs by over 4 on average, so the test also shows that the reduced decode takes that region.
   */
  @Test
  void aReducedDecodeOfACropIsCloseToTheFullDecodeOfItsRegionResized() {
    ImageHeader header = ImageHeader.read(photo);
    int out = 224;
    double[][] crops = {{152, 0, 900, 900}, {37.5, 410.25, 460, 470}, {700, 300, 500, 480}, {0, 0, 1200, 900}};
    for (double[] c : crops) {
      int reduction = OpenCvCodec.reduction(header, c[2], c[3], out);
      assertThat(reduction).as("crop %s", Arrays.toString(c)).isGreaterThan(1);
      double left = Math.round(c[0] / reduction) * reduction;
      double top = Math.round(c[1] / reduction) * reduction;
      byte[] reduced = new byte[3 * out * out];
      byte[] full = new byte[3 * out * out];

      assertThat(OpenCvCodec.cropInto(photo, header, c[0], c[1], c[2], c[3], out, reduced, 0)).isTrue();
      assertThat(OpenCvCodec.cropInto(photo, header, left, top, c[2], c[3], out, full, 0, 1)).isTrue();

      assertThat(meanAbsDiff(reduced, full)).as("mean |diff|, crop %s at 1/%d", Arrays.toString(c), reduction)
          .isLessThan(2.0);
      assertThat(percentile99(reduced, full)).as("99th percentile |diff|, crop %s", Arrays.toString(c))
          .isLessThanOrEqualTo(8);
    }
    byte[] shifted = new byte[3 * out * out];
    byte[] full = new byte[3 * out * out];
    OpenCvCodec.cropInto(photo, header, 152, 0, 900, 900, out, full, 0, 1);
    OpenCvCodec.cropInto(photo, header, 152 + 900.0 / out, 0, 900, 900, out, shifted, 0, 1);
    assertThat(meanAbsDiff(shifted, full)).as("a crop one output pixel to the right").isGreaterThan(4.0);
  }

  /** The square path (centre crop) against the ImageIO fallback, on an image with no fine texture. */
  @Test
  void theSquareOfAJpegMatchesTheImageIoPath() throws IOException {
    byte[] smooth = ImageHeaderTest.encode(photoLike(640, 480, 0), "jpg");
    byte[] fast = new byte[3 * 96 * 96];
    byte[] slow = new byte[3 * 96 * 96];

    EncodedImages.decodeInto(smooth, "smooth.jpg", 96, fast, 0);
    EncodedImages.imageIoInto(smooth, "smooth.jpg", 96, slow, 0);

    assertThat(meanAbsDiff(fast, slow)).isLessThan(3.0);
  }

  @Test
  void aPngOfTheImageSizeDecodesToExactlyItsPixels() throws IOException {
    BufferedImage image = photoLike(32, 32, 3);
    byte[] chw = new byte[3 * 32 * 32];

    EncodedImages.decodeInto(ImageHeaderTest.encode(image, "png"), "a.png", 32, chw, 0);

    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        int rgb = image.getRGB(x, y);
        int p = y * 32 + x;
        assertThat(new int[] {chw[p] & 0xFF, chw[p + 1024] & 0xFF, chw[p + 2048] & 0xFF})
            .as("pixel (%d, %d)", x, y)
            .containsExactly((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
      }
    }
  }

  @Test
  void aCorruptJpegIsOneLineNamingTheFile() {
    byte[] corrupt = Arrays.copyOf(photo, 600); // header and tables, then zeros: no frame to decode
    Arrays.fill(corrupt, 2, 40, (byte) 0);

    assertThatThrownBy(() -> EncodedImages.decodeInto(corrupt, "/data/train/n01/broken.JPEG", 64, new byte[3 * 64 * 64], 0))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("/data/train/n01/broken.JPEG: ")
        .hasMessageNotContaining("\n");
  }

  /** Shading, a grid of edges and (with {@code texture} > 0) fine sinusoidal texture plus noise. */
  static BufferedImage photoLike(int width, int height, int texture) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    SplittableRandom random = new SplittableRandom(width * 31L + height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double u = (double) x / width;
        double v = (double) y / height;
        double r = 200 * u + 30 * Math.sin(texture * 0.05 * (x + 2 * y));
        double g = 180 * v + 40 * ((x / 97 + y / 83) % 2);
        double b = 120 + 80 * Math.sin(6 * u * v) + 25 * Math.cos(texture * 0.03 * x * (1 + v));
        int n = texture > 0 ? random.nextInt(-6, 7) : 0;
        image.setRGB(x, y, (clamp(r + n) << 16) | (clamp(g + n) << 8) | clamp(b + n));
      }
    }
    return image;
  }

  private static int clamp(double value) {
    return (int) Math.max(0, Math.min(255, Math.round(value)));
  }

  private static double meanAbsDiff(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
    }
    return (double) sum / a.length;
  }

  private static int percentile99(byte[] a, byte[] b) {
    int[] diffs = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      diffs[i] = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
    }
    Arrays.sort(diffs);
    return diffs[(int) (0.99 * (diffs.length - 1))];
  }
}
