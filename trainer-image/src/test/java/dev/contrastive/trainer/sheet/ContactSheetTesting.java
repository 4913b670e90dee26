package dev.contrastive.trainer.sheet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.data.InMemoryImages;
import dev.contrastive.trainer.sheet.ContactSheet.Frame;
import dev.contrastive.trainer.sheet.ContactSheet.Layout;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Images to draw and checks of where a contact sheet put them, for the sheet and tracking tests. */
public final class ContactSheetTesting {

  public static final int SIZE = 32;

  private ContactSheetTesting() {}

  /** Images whose every pixel differs (x, y, channel and image encoded), labelled as given. */
  public static InMemoryImages images(int[] labels, int seed) {
    int plane = SIZE * SIZE;
    byte[] pixels = new byte[labels.length * 3 * plane];
    for (int i = 0; i < labels.length; i++) {
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < plane; p++) {
          pixels[(i * 3 + c) * plane + p] = (byte) (seed + i * 37 + c * 71 + p % SIZE * 5 + p / SIZE * 3);
        }
      }
    }
    return new InMemoryImages(pixels, labels, SIZE);
  }

  public static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("a decodable PNG").isNotNull();
    return image;
  }

  /** Every pixel of image {@code index} at (row, column), each as a scale x scale block, inside its frame. */
  public static void assertTile(BufferedImage sheet, Layout layout, int row, int column, InMemoryImages images, int index,
      Frame frame) {
    byte[] chw = new byte[images.bytesPerImage()];
    images.readInto(index, chw, 0);
    int plane = SIZE * SIZE;
    for (int y = 0; y < layout.tile(); y++) {
      for (int x = 0; x < layout.tile(); x++) {
        int p = (y / layout.scale()) * SIZE + x / layout.scale();
        int expected = (chw[p] & 0xFF) << 16 | (chw[plane + p] & 0xFF) << 8 | (chw[2 * plane + p] & 0xFF);
        int actual = sheet.getRGB(layout.imageX(column) + x, layout.imageY(row) + y) & 0xFFFFFF;
        if (actual != expected) {
          throw new AssertionError("row " + row + " column " + column + " pixel (" + x + ", " + y + "): "
              + Integer.toHexString(actual) + " instead of " + Integer.toHexString(expected));
        }
      }
    }
    assertThat(sheet.getRGB(layout.frameX(column), layout.frameY(row)) & 0xFFFFFF).isEqualTo(frame.rgb);
  }

  /** Text pixels in the caption strip under (row, column). */
  public static int caption(BufferedImage sheet, Layout layout, int row, int column) {
    return (int) captionPixels(sheet, layout, row, column).stream().filter(p -> p == ContactSheet.TEXT).count();
  }

  public static List<Integer> captionPixels(BufferedImage sheet, Layout layout, int row, int column) {
    List<Integer> pixels = new ArrayList<>();
    for (int y = layout.captionY(row); y < layout.captionY(row) + DigitFont.HEIGHT * ContactSheet.TEXT_SCALE; y++) {
      for (int x = layout.frameX(column); x < layout.frameX(column) + layout.tile() + 2 * ContactSheet.BORDER; x++) {
        pixels.add(sheet.getRGB(x, y) & 0xFFFFFF);
      }
    }
    return pixels;
  }
}
