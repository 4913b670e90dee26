package dev.contrastive.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.contrastive.api.spec.AugmentationSpec;
import dev.contrastive.trainer.augment.RandomResizedCrop;
import dev.contrastive.trainer.augment.SimClrAugmenter;
import dev.contrastive.trainer.augment.TwoViews;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;

/**
 * The training loader on encoded images (ImageFolder JPEGs and PNGs): each view's crop is drawn on
 * the full image and decoded from it, and the views stay a function of (seed, epoch, image).
 */
class CropAtDecodeLoaderTest {

  private static final int SIZE = 32;

  @TempDir static Path folder;
  static NDManager manager;

  @BeforeAll
  static void setUp() {
    assumeTrue(EncodedImages.decoderName().equals("opencv"), "OpenCV's natives did not load here");
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void encodedSetsCropAtDecodeAndDecodedSetsDoNot() throws IOException {
    assertThat(EncodedImages.cropsAtDecode(jpegs(folder.resolve("kinds")).train())).isTrue();
    assertThat(EncodedImages.cropsAtDecode(jpegs(folder.resolve("kinds")).train().subset(new int[] {1, 3})))
        .isTrue();
    assertThat(EncodedImages.cropsAtDecode(SyntheticImages.generate(2, 8, 2, SIZE, 1).train())).isFalse();
  }

  @Test
  void viewsDoNotDependOnTheNumberOfThreadsAndAResumedEpochSeesTheSameBatches() throws IOException {
    DatasetSplits data = jpegs(folder.resolve("threads"));
    List<float[]> oneThread = firstViews(loader(data, new AugmentationSpec(), 1), 1, 0);
    List<float[]> threeThreads = firstViews(loader(data, new AugmentationSpec(), 3), 1, 0);
    List<float[]> resumed = firstViews(loader(data, new AugmentationSpec(), 2), 1, 2);

    assertThat(oneThread).hasSize(4);
    for (int step = 0; step < oneThread.size(); step++) {
      assertThat(Arrays.equals(threeThreads.get(step), oneThread.get(step))).as("step %d", step).isTrue();
    }
    assertThat(Arrays.equals(resumed.get(0), oneThread.get(2))).as("resumed at step 2").isTrue();
    assertThat(Arrays.equals(firstViews(loader(data, new AugmentationSpec(), 1), 2, 0).get(0), oneThread.get(0)))
        .as("the next epoch's views differ").isFalse();
  }

  /** A square PNG of the training size, crop fixed to the whole image: both paths, the same views. */
  @Test
  void withTheWholeImageAsCropBothPathsGiveTheSameViews() throws IOException {
    Path root = folder.resolve("png");
    for (int i = 0; i < 20; i++) { // 10 a class: one held out each
      write(root.resolve("c" + i % 2).resolve(String.format("%02d.png", i)), OpenCvCodecTest.photoLike(SIZE, SIZE, 3 + i), "png");
    }
    DatasetSplits data = ImageFolderReader.read(root, SIZE);
    AugmentationSpec spec = new AugmentationSpec();
    spec.cropScaleMin = 1.0; // no box fits but the whole image: the centre fallback, after 10 draws
    spec.cropScaleMax = 1.0;
    spec.blurMinImageSize = SIZE; // blur on too
    SimClrAugmenter augmenter = new SimClrAugmenter(spec, SIZE, data.stats().mean(), data.stats().std());
    int[] indices = {5, 0, 9, 3, 12, 7};

    try (NDManager batch = manager.newSubManager()) {
      NDArray pixels = PixelBatch.of(batch, data.train(), indices);
      TwoViews batched = augmenter.apply(pixels, SimClrAugmenter.randomsFor(3, 1, indices));
      TwoViews decoded = augmenter.apply(batch,
          (i, crop, random) -> EncodedImages.decodeCrop(data.train().encoded(indices[i]), crop, random),
          SimClrAugmenter.randomsFor(3, 1, indices));

      assertThat(maxAbsDiff(decoded.first().toFloatArray(), batched.first().toFloatArray())).isLessThan(1e-3);
      assertThat(maxAbsDiff(decoded.second().toFloatArray(), batched.second().toFloatArray())).isLessThan(1e-3);
      assertThat(maxAbsDiff(decoded.first().toFloatArray(), decoded.second().toFloatArray())).isGreaterThan(0.5);
    }
  }

  /** A wide image, red at the left, grey in the middle (its centre square), blue at the right. */
  @Test
  void cropsComeFromTheWholeImageNotItsCentreSquare() throws IOException {
    BufferedImage wide = new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 300; x++) {
        wide.setRGB(x, y, x < 100 ? 0xE01010 : x < 200 ? 0x808080 : 0x1010E0);
      }
    }
    EncodedImage image = new EncodedImage(ImageHeaderTest.encode(wide, "jpg"), "wide.jpg");
    RandomResizedCrop crop = new RandomResizedCrop(0.08, 1, SIZE);
    SplittableRandom random = new SplittableRandom(4);
    int red = 0;
    int blue = 0;
    for (int view = 0; view < 40; view++) {
      Mat rgb = EncodedImages.decodeCrop(image, crop, random);
      assertThat(rgb.rows()).isEqualTo(SIZE);
      assertThat(rgb.cols()).isEqualTo(SIZE);
      float[] pixels = new float[3 * SIZE * SIZE];
      rgb.get(0, 0, pixels);
      rgb.release();
      int centre = 3 * (SIZE / 2 * SIZE + SIZE / 2);
      float r = pixels[centre] * 255;
      float b = pixels[centre + 2] * 255;
      red += r > 180 && b < 60 ? 1 : 0;
      blue += b > 180 && r < 60 ? 1 : 0;
    }
    assertThat(red).as("views centred in the red third").isGreaterThan(3);
    assertThat(blue).as("views centred in the blue third").isGreaterThan(3);
  }

  private static TrainLoader loader(DatasetSplits data, AugmentationSpec spec, int threads) {
    SimClrAugmenter augmenter = new SimClrAugmenter(spec, SIZE, data.stats().mean(), data.stats().std());
    return new TrainLoader(data.train(), new EpochShards(data.train().size(), 4, 0, 1, 5), augmenter, manager, 5,
        threads, 2);
  }

  private static List<float[]> firstViews(TrainLoader loader, int epoch, int fromStep) {
    List<float[]> views = new ArrayList<>();
    try (Prefetcher<TrainBatch> batches = loader.epoch(epoch, fromStep, loader.stepsPerEpoch())) {
      while (batches.hasNext()) {
        try (TrainBatch batch = batches.next()) {
          assertThat(batch.first().getShape().getShape()).containsExactly(4, 3, SIZE, SIZE);
          views.add(batch.first().toFloatArray());
        }
      }
    }
    return views;
  }

  /** 20 JPEGs of about 120 x 90 in two classes: 18 to train on (every tenth is held out). */
  private static DatasetSplits jpegs(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      for (int i = 0; i < 20; i++) {
        write(root.resolve("c" + i % 2).resolve(String.format("%02d.jpg", i)),
            OpenCvCodecTest.photoLike(120 + i, 90, 2 + i), "jpg");
      }
    }
    return ImageFolderReader.read(root, SIZE);
  }

  private static void write(Path file, BufferedImage image, String format) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, ImageHeaderTest.encode(image, format));
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
