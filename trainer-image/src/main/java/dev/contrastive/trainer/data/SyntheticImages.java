package dev.contrastive.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A labelled set generated from a seed, for demos and tests. Class {@code c} is a sinusoidal
 * grating with its own orientation, frequency and colour; each image draws a random phase,
 * brightness and pixel noise, so images of one class differ but share structure an encoder can
 * learn. Labels cycle through the classes (balanced). Image {@code i} of a split depends only on
 * the seed, the split and {@code i}: same seed, same images.
 */
public final class SyntheticImages {

  private static final long TRAIN_STREAM = 0x5EED_7A11L;
  private static final long HELD_OUT_STREAM = 0x5EED_7E57L;

  private SyntheticImages() {}

  /** Generates both splits; class names are {@code class-0}, {@code class-1}, .... */
  public static DatasetSplits generate(
      int numClasses, int trainImages, int heldOutImages, int imageSize, long seed) {
    if (numClasses < 2 || trainImages < 1 || heldOutImages < 1 || imageSize < 1) {
      throw new IllegalArgumentException("synthetic set needs >= 2 classes, >= 1 image per split, size >= 1");
    }
    LabelledImages train = split(numClasses, trainImages, imageSize, seed ^ TRAIN_STREAM);
    LabelledImages heldOut = split(numClasses, heldOutImages, imageSize, seed ^ HELD_OUT_STREAM);
    List<String> names = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) {
      names.add("class-" + c);
    }
    return new DatasetSplits(train, heldOut, names, ChannelStats.measure(train));
  }

  private static LabelledImages split(int numClasses, int count, int size, long streamSeed) {
    int bytes = LabelledImages.CHANNELS * size * size;
    byte[] pixels = new byte[Math.multiplyExact(count, bytes)];
    int[] labels = new int[count];
    SplittableRandom stream = new SplittableRandom(streamSeed);
    for (int i = 0; i < count; i++) {
      labels[i] = i % numClasses;
      // split() gives image i its own generator, independent of how many images follow it.
      draw(labels[i], numClasses, size, stream.split(), pixels, i * bytes);
    }
    return new InMemoryImages(pixels, labels, size);
  }

  private static void draw(int c, int numClasses, int size, SplittableRandom rng, byte[] out, int offset) {
    double angle = Math.PI * c / numClasses;
    double cyclesPerImage = 2 + c % 3;
    float[] colour = hueToRgb((double) c / numClasses);
    double phase = rng.nextDouble(2 * Math.PI);
    double brightness = rng.nextDouble(0.8, 1.2);
    double kx = 2 * Math.PI * cyclesPerImage * Math.cos(angle) / size;
    double ky = 2 * Math.PI * cyclesPerImage * Math.sin(angle) / size;
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double wave = 0.6 + 0.4 * Math.sin(kx * x + ky * y + phase);
        for (int ch = 0; ch < LabelledImages.CHANNELS; ch++) {
          double noise = 0.05 * gaussian(rng);
          double v = colour[ch] * wave * brightness + noise;
          out[offset + ch * plane + y * size + x] = (byte) Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
    }
  }

  /** Fully saturated colour of a hue in [0, 1), lifted so no channel is black. */
  private static float[] hueToRgb(double hue) {
    double h = hue * 6;
    double f = h - Math.floor(h);
    double[] rgb =
        switch ((int) Math.floor(h) % 6) {
          case 0 -> new double[] {1, f, 0};
          case 1 -> new double[] {1 - f, 1, 0};
          case 2 -> new double[] {0, 1, f};
          case 3 -> new double[] {0, 1 - f, 1};
          case 4 -> new double[] {f, 0, 1};
          default -> new double[] {1, 0, 1 - f};
        };
    return new float[] {
      (float) (0.25 + 0.65 * rgb[0]), (float) (0.25 + 0.65 * rgb[1]), (float) (0.25 + 0.65 * rgb[2])
    };
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }
}
