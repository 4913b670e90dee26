package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

  @TempDir Path root;

  @Test
  void usesTrainAndValFoldersWithSortedClassNames() throws IOException {
    png(root.resolve("train/dog/a.png"), Color.RED, 40, 30);
    png(root.resolve("train/cat/b.png"), Color.GREEN, 20, 20);
    png(root.resolve("train/cat/c.png"), Color.GREEN, 20, 20);
    png(root.resolve("val/dog/d.png"), Color.RED, 20, 20);

    DatasetSplits splits = ImageFolderReader.read(root, 16);

    assertThat(splits.classNames()).containsExactly("cat", "dog");
    assertThat(splits.train().size()).isEqualTo(3);
    assertThat(splits.heldOut().size()).isEqualTo(1);
    assertThat(splits.heldOut().label(0)).isEqualTo(1);
  }

  @Test
  void decodesAndResizesToTheImageSize() throws IOException {
    png(root.resolve("train/red/a.png"), Color.RED, 40, 30);
    png(root.resolve("val/red/b.png"), Color.RED, 20, 20);

    LabelledImages train = ImageFolderReader.read(root, 16).train();
    byte[] pixels = new byte[train.bytesPerImage()];
    train.readInto(0, pixels, 0);

    assertThat(pixels).hasSize(3 * 16 * 16);
    assertThat(pixels[5] & 0xFF).isEqualTo(255); // red plane
    assertThat(pixels[256 + 5] & 0xFF).isZero(); // green plane
  }

  @Test
  void holdsOutEveryTenthFileOfASingleFolder() throws IOException {
    for (int i = 0; i < 20; i++) {
      png(root.resolve(String.format("a/%02d.png", i)), Color.BLUE, 8, 8);
    }
    for (int i = 0; i < 10; i++) {
      png(root.resolve(String.format("b/%02d.png", i)), Color.GRAY, 8, 8);
    }

    DatasetSplits splits = ImageFolderReader.read(root, 8);

    assertThat(splits.train().size()).isEqualTo(27);
    assertThat(splits.heldOut().size()).isEqualTo(3);
  }

  @Test
  void namesAnUnreadableImage() throws IOException {
    png(root.resolve("train/x/good.png"), Color.RED, 8, 8);
    Files.writeString(root.resolve("train/x/broken.jpg"), "not an image");
    png(root.resolve("val/x/v.png"), Color.RED, 8, 8);
    LabelledImages train = ImageFolderReader.read(root, 8).train();

    assertThatThrownBy(() -> train.readInto(0, new byte[train.bytesPerImage()], 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("broken.jpg");
  }

  @Test
  void rejectsAMissingHeldOutFolder() throws IOException {
    png(root.resolve("train/x/good.png"), Color.RED, 8, 8);
    assertThatThrownBy(() -> ImageFolderReader.read(root, 8))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("neither val/ nor test/");
  }

  private static void png(Path file, Color colour, int width, int height) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }
}
