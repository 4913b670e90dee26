package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EncodedImagesTest {

  /**
   * A CMYK JPEG (some of ImageNet's are, as Photoshop saves them: Adobe marker, inverted values),
   * left half cyan, right half magenta; the JDK's own JPEG reader refuses these.
   */
  @Test
  void aCmykJpegDecodesToItsRgbColours() throws IOException {
    byte[] jpeg = Files.readAllBytes(Path.of("src/test/resources/images/cmyk.jpg"));
    byte[] chw = new byte[3 * 16 * 16];

    EncodedImages.decodeInto(jpeg, "cmyk.jpg", 16, chw, 0);

    assertThat(rgb(chw, 3, 8)).satisfies(c -> assertColour(c, 0, 255, 255));
    assertThat(rgb(chw, 12, 8)).satisfies(c -> assertColour(c, 255, 0, 255));
  }

  private static int[] rgb(byte[] chw, int x, int y) {
    int p = y * 16 + x;
    return new int[] {chw[p] & 0xFF, chw[p + 256] & 0xFF, chw[p + 512] & 0xFF};
  }

  private static void assertColour(int[] actual, int r, int g, int b) {
    assertThat(actual[0]).as("red").isCloseTo(r, org.assertj.core.data.Offset.offset(24));
    assertThat(actual[1]).as("green").isCloseTo(g, org.assertj.core.data.Offset.offset(24));
    assertThat(actual[2]).as("blue").isCloseTo(b, org.assertj.core.data.Offset.offset(24));
  }
}
