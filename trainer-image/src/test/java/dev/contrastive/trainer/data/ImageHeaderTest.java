package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {

  @Test
  void readsTheSizeOfAJpegAndAPng() throws IOException {
    assertThat(ImageHeader.read(encode(new BufferedImage(500, 375, BufferedImage.TYPE_INT_RGB), "jpg")))
        .isEqualTo(new ImageHeader(500, 375, true));
    assertThat(ImageHeader.read(encode(new BufferedImage(31, 70, BufferedImage.TYPE_INT_ARGB), "png")))
        .isEqualTo(new ImageHeader(31, 70, false));
  }

  /** Photoshop's CMYK JPEGs carry APP markers before the frame header (Adobe, ICC). */
  @Test
  void skipsTheMarkersBeforeTheFrameOfACmykJpeg() throws IOException {
    byte[] jpeg = Files.readAllBytes(Path.of("src/test/resources/images/cmyk.jpg"));

    assertThat(ImageHeader.read(jpeg)).isEqualTo(new ImageHeader(16, 16, true));
  }

  @Test
  void isNullForOtherBytesAndForAJpegCutBeforeItsFrame() throws IOException {
    byte[] jpeg = encode(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "jpg");

    assertThat(ImageHeader.read("GIF89a and so on".getBytes(StandardCharsets.US_ASCII))).isNull();
    assertThat(ImageHeader.read(java.util.Arrays.copyOf(jpeg, 10))).isNull();
  }

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).isTrue();
    return out.toByteArray();
  }
}
