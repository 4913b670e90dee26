package dev.contrastive.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trainer bench-input}: what bench/input-pipeline.sh runs, on a small folder of JPEGs. */
class InputBenchCommandTest {

  @TempDir Path dir;

  @Test
  void timesTheLoaderAndTheDecoderAlone() throws IOException {
    Random random = new Random(3);
    for (int i = 0; i < 30; i++) {
      BufferedImage image = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
      for (int p = 0; p < 80 * 60; p++) {
        image.setRGB(p % 80, p / 80, random.nextInt(1 << 24));
      }
      Path file = Files.createDirectories(dir.resolve("images/c" + i % 3)).resolve(i + ".jpg");
      ImageIO.write(image, "jpg", file.toFile());
    }

    CliRun run = CliRun.run("bench-input", "-f", CliRun.TINY.toString(), "dataset.type=imagefolder",
        "dataset.source=" + dir.resolve("images"), "dataset.imageSize=32", "dataset.normalization=imagenet",
        "dataset.loaderThreads=1", "trainer.batchSizePerWorker=8", "--batches", "2", "--warmup", "1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).containsPattern("loader=trainer decoder=(opencv|imageio) workers=1 batch=8 image=32"
        + " batches=2 images_per_second=[0-9.]+ images_per_cpu_second=[0-9.]+"
        + " decode_only_images_per_cpu_second=[0-9.]+ views=(per-image|batched) isa=\\S+");
  }

  @Test
  void refusesMoreBatchesThanAnEpochHas() throws IOException {
    for (int i = 0; i < 10; i++) {
      Path file = Files.createDirectories(dir.resolve("few/c")).resolve(i + ".png");
      ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
    }

    CliRun run = CliRun.run("bench-input", "-f", CliRun.TINY.toString(), "dataset.type=imagefolder",
        "dataset.source=" + dir.resolve("few"), "dataset.imageSize=8", "trainer.batchSizePerWorker=4",
        "--batches", "5");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err()).contains("fewer than --warmup + --batches = 7");
  }
}
