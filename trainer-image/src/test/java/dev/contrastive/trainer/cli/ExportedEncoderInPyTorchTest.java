package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that an export is usable in PyTorch: the file loads with {@code strict=True} into
 * torchvision's resnet18 (CIFAR stem swapped in), into an MLP-Mixer written with timm's module
 * names, and into the modules of docs/export.md (ResNet-50 and -101 at width 16 into torchvision's
 * bottleneck stages rebuilt at that width), and PyTorch's features for a fixed batch of
 * images equal {@code trainer embed}'s to 1e-4 (eval mode: BatchNorm's running statistics).
 */
@Tag("slow")
class ExportedEncoderInPyTorchTest {

  private static final Path SCRIPT = Path.of("src/test/resources/export/torch_features.py");
  private static final Path DOCS_MODULE_DIR = Path.of("../docs/export");
  private static final int IMAGES = 8;
  private static final int SIZE = 32;

  @TempDir static Path dir;
  static Path images;
  static Path pixels;

  @BeforeAll
  static void drawImages() throws IOException {
    images = Files.createDirectories(dir.resolve("images"));
    pixels = dir.resolve("pixels.u8");
    byte[] planes = new byte[IMAGES * 3 * SIZE * SIZE];
    Random random = new Random(20);
    for (int i = 0; i < IMAGES; i++) {
      BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          int rgb = random.nextInt(1 << 24);
          image.setRGB(x, y, rgb);
          int p = i * 3 * SIZE * SIZE + y * SIZE + x;
          planes[p] = (byte) (rgb >> 16);
          planes[p + SIZE * SIZE] = (byte) (rgb >> 8);
          planes[p + 2 * SIZE * SIZE] = (byte) rgb;
        }
      }
      ImageIO.write(image, "png", images.resolve("img" + i + ".png").toFile());
    }
    Files.write(pixels, planes);
  }

  @BeforeEach
  void needsPyTorch() {
    PyTorchReference.assumeAvailable();
  }

  @Test
  void resnet18LoadsIntoTorchvisionAndGivesTheTrainersFeatures() throws Exception {
    assertPyTorchMatchesEmbed("resnet18", "torchvision", "docs");
  }

  @Test
  void narrowResnet50LoadsIntoTorchvisionsBottlenecksRebuiltAtItsWidth() throws Exception {
    assertPyTorchMatchesEmbed("resnet50_w16", "docs");
  }

  @Test
  void narrowResnet101LoadsIntoTorchvisionsBottlenecksRebuiltAtItsWidth() throws Exception {
    // 23 units in layer3: the export numbers units within a stage past single digits
    assertPyTorchMatchesEmbed("resnet101_w16", "docs");
  }

  @Test
  void mixerLoadsIntoTimmNamedModulesAndGivesTheTrainersFeatures() throws Exception {
    assertPyTorchMatchesEmbed("mixer", "reference", "docs");
  }

  @Test
  void parallelVitLoadsIntoTheDocumentedModuleAndGivesTheTrainersFeatures() throws Exception {
    assertPyTorchMatchesEmbed("parallel_vit", "docs");
  }

  private static void assertPyTorchMatchesEmbed(String architecture, String... ways) throws Exception {
    Path checkpoints = ExportFixtures.trained(architecture);
    Path file = dir.resolve(architecture + ".safetensors");
    Path csv = dir.resolve(architecture + ".csv");
    CliRun export = CliRun.run(ExportFixtures.args("export", architecture, "--checkpoint", checkpoints.toString(),
        "--out", file.toString()));
    assertThat(export.exitCode()).as(export.err()).isZero();
    CliRun embed = CliRun.run(ExportFixtures.args("embed", architecture, "--checkpoint", checkpoints.toString(),
        "--images", images.toString(), "--out", csv.toString()));
    assertThat(embed.exitCode()).as(embed.err()).isZero();
    List<String> rows = Files.readAllLines(csv).subList(1, IMAGES + 1);

    List<String> args = new ArrayList<>(List.of(file.toString(), pixels.toString(),
        String.valueOf(IMAGES), DOCS_MODULE_DIR.toAbsolutePath().normalize().toString()));
    args.addAll(List.of(ways));
    JsonNode features = new ObjectMapper().readTree(PyTorchReference.run(SCRIPT, args));

    for (String way : ways) {
      double worstOfAll = 0;
      JsonNode torch = features.get(way);
      assertThat(torch).as(way).hasSize(IMAGES);
      for (int i = 0; i < IMAGES; i++) {
        String[] fields = rows.get(i).split(",");
        assertThat(fields[0]).isEqualTo("img" + i + ".png");
        assertThat(torch.get(i)).as(way + " features of img" + i).hasSize(fields.length - 1);
        double worst = 0;
        for (int d = 1; d < fields.length; d++) {
          worst = Math.max(worst, Math.abs(Double.parseDouble(fields[d]) - torch.get(i).get(d - 1).asDouble()));
        }
        assertThat(worst).as("%s: largest difference from trainer embed for img%d", way, i).isLessThan(1e-4);
        worstOfAll = Math.max(worstOfAll, worst);
      }
      System.out.printf("%s in PyTorch (%s): largest difference from trainer embed %.1e%n",
          architecture, way, worstOfAll);
    }
  }
}
