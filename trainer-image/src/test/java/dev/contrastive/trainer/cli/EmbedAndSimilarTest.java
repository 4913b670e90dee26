package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.trainer.sheet.ContactSheet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code embed} and {@code similar} with the checkpoint of a short tiny run. */
class EmbedAndSimilarTest {

  @TempDir static Path dir;
  static Path images;
  static Path checkpoints;

  @BeforeAll
  static void trainAndDrawImages() throws IOException {
    Path root = dir.resolve("ckpt");
    checkpoints = CliRun.tinyFolder(root);
    CliRun train = CliRun.run("train", "-f", CliRun.TINY.toString(), "checkpoint.mountPath=" + root,
        "trainer.maxEpochs=1");
    assertThat(train.exitCode()).as(train.err()).isZero();
    images = Files.createDirectories(dir.resolve("images"));
    Random random = new Random(7);
    int[] colours = {0xD02020, 0x20C030, 0x2040D0};
    for (int c = 0; c < colours.length; c++) {
      for (int i = 0; i < 2; i++) {
        BufferedImage image = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
          for (int x = 0; x < 20; x++) {
            image.setRGB(x, y, colours[c] ^ random.nextInt(0x10) * 0x010101);
          }
        }
        ImageIO.write(image, "png", images.resolve("c" + c + "-" + i + ".png").toFile());
      }
    }
  }

  @Test
  void embedWritesOneUnitLengthRowPerImageUnderAHeader() throws IOException {
    Path csv = dir.resolve("embeddings.csv");

    CliRun run = CliRun.run("embed", "-f", CliRun.TINY.toString(), "--checkpoint", checkpoints.toString(),
        "--images", images.toString(), "--out", csv.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).startsWith("file,f0,f1,").endsWith(",f127"); // ResNet-18 at width 16: 128 features
    assertThat(lines).hasSize(7);
    assertThat(lines.get(1)).startsWith("c0-0.png,");
    for (String line : lines.subList(1, 7)) {
      double squares = 0;
      String[] fields = line.split(",");
      for (int i = 1; i < fields.length; i++) {
        squares += Math.pow(Double.parseDouble(fields[i]), 2);
      }
      assertThat(squares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
  }

  @Test
  void similarPrintsTheKBestMatchesBestFirstWithTheQueryItselfOnTop() {
    Path query = images.resolve("c1-0.png");

    CliRun run = CliRun.run("similar", "-f", CliRun.TINY.toString(), "--checkpoint", checkpoints.toString(),
        "--query", query.toString(), "--images", images.toString(), "-k", "3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> hits = run.out().lines().filter(l -> l.matches("-?[0-9.]+ .*\\.png")).toList();
    assertThat(hits).hasSize(3);
    assertThat(hits.get(0)).isEqualTo("1.0000 " + query);
    double second = Double.parseDouble(hits.get(1).split(" ")[0]);
    double third = Double.parseDouble(hits.get(2).split(" ")[0]);
    assertThat(second).isGreaterThanOrEqualTo(third);
  }

  @Test
  void similarDrawsAContactSheetOfTheQueryAndItsNearestWithScores() throws IOException {
    Path query = images.resolve("c2-1.png");
    Path sheet = dir.resolve("sheet.png");

    CliRun run = CliRun.run("similar", "-f", CliRun.TINY.toString(), "--checkpoint", checkpoints.toString(),
        "--query", query.toString(), "--images", images.toString(), "-k", "3", "--contact-sheet", sheet.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("contact sheet: " + sheet);
    BufferedImage drawn = ImageIO.read(sheet.toFile());
    ContactSheet.Layout layout = new ContactSheet.Layout(ContactSheet.MIN_TILE, 1, 3);
    assertThat(drawn.getWidth()).isEqualTo(layout.width());
    assertThat(drawn.getHeight()).isEqualTo(layout.height());
    // the best match is the query itself: the same picture twice; the query's colour is blue
    int differing = 0;
    long blue = 0;
    for (int y = 0; y < layout.tile(); y++) {
      for (int x = 0; x < layout.tile(); x++) {
        int q = drawn.getRGB(layout.imageX(0) + x, layout.imageY(0) + y);
        differing += q == drawn.getRGB(layout.imageX(1) + x, layout.imageY(0) + y) ? 0 : 1;
        blue += (q & 0xFF) - ((q >> 16) & 0xFF);
      }
    }
    assertThat(differing).isZero();
    assertThat(blue).isPositive();
  }

  @Test
  void aContactSheetIntoAMissingFolderIsOneLineBeforeAnyWork() {
    Path sheet = dir.resolve("no-such-folder/sheet.png");

    CliRun run = CliRun.run("similar", "-f", CliRun.TINY.toString(), "--checkpoint", checkpoints.toString(),
        "--query", images.resolve("c0-0.png").toString(), "--images", images.toString(), "--contact-sheet", sheet.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("--contact-sheet").contains("no-such-folder");
  }

  @Test
  void missingCheckpointIsOneLineNamingTheFolder() {
    CliRun run = CliRun.run("similar", "-f", CliRun.TINY.toString(), "--checkpoint", dir.resolve("none").toString(),
        "--query", images.resolve("c0-0.png").toString(), "--images", images.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err().lines()).singleElement().asString().contains("none");
  }
}
