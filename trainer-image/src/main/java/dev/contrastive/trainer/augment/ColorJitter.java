package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * SimCLR colour distortion: with probability {@code probability} an image gets brightness,
 * contrast and saturation factors drawn from [1 - 0.8 s, 1 + 0.8 s] and a hue shift from [-0.2 s,
 * 0.2 s] of a turn (s = strength), applied in that fixed order as in torchvision's blends. The
 * hue shift is a rotation of the chroma plane in YIQ space: one batched 3x3 product instead of an
 * HSV round trip, close to HSV for the small shifts used here. Other images pass unchanged.
 */
public final class ColorJitter implements BatchAugmentation {

  private static final double[][] RGB_TO_YIQ = {
    {0.299, 0.587, 0.114}, {0.596, -0.274, -0.322}, {0.211, -0.523, 0.312}
  };
  private static final double[][] YIQ_TO_RGB = {
    {1, 0.956, 0.621}, {1, -0.272, -0.647}, {1, -1.106, 1.703}
  };

  private final double probability;
  private final double strength;

  public ColorJitter(double probability, double strength) {
    this.probability = probability;
    this.strength = strength;
  }

  @Override
  public NDArray apply(NDArray images, SplittableRandom[] randoms) {
    int n = (int) images.getShape().get(0);
    float[] brightness = new float[n];
    float[] contrast = new float[n];
    float[] saturation = new float[n];
    float[] hueMatrices = new float[n * 9];
    double spread = 0.8 * strength;
    for (int i = 0; i < n; i++) {
      SplittableRandom random = randoms[i];
      boolean jitter = random.nextDouble() < probability;
      brightness[i] = jitter ? factor(random, spread) : 1;
      contrast[i] = jitter ? factor(random, spread) : 1;
      saturation[i] = jitter ? factor(random, spread) : 1;
      double hue = jitter && strength > 0 ? random.nextDouble(-0.2 * strength, 0.2 * strength) : 0;
      writeHueMatrix(hueMatrices, i * 9, hue);
    }
    NDManager manager = images.getManager();
    NDArray out = blend(images, null, Masks.perImage(manager, brightness));
    out = replace(out, blend(out, meanLuma(out), Masks.perImage(manager, contrast)));
    out = replace(out, blend(out, Grayscale.luma(out), Masks.perImage(manager, saturation)));
    return replace(out, rotateHue(out, manager.create(hueMatrices, new Shape(n, 3, 3))));
  }

  /** clamp(f x + (1 - f) other, 0, 1); other = 0 when null. Closes other and f. */
  private static NDArray blend(NDArray x, NDArray other, NDArray f) {
    try (f;
        NDArray scaled = x.mul(f)) {
      if (other == null) {
        return scaled.clip(0, 1);
      }
      try (other;
          NDArray rest = f.neg().add(1).mul(other);
          NDArray sum = scaled.add(rest)) {
        return sum.clip(0, 1);
      }
    }
  }

  private static NDArray meanLuma(NDArray images) {
    // DJL's PyTorch mean takes one axis: average each image's flattened luma.
    long n = images.getShape().get(0);
    try (NDArray luma = Grayscale.luma(images);
        NDArray flat = luma.reshape(n, -1);
        NDArray mean = flat.mean(new int[] {1}, true)) {
      return mean.reshape(n, 1, 1, 1);
    }
  }

  private static NDArray rotateHue(NDArray images, NDArray matrices) {
    Shape shape = images.getShape();
    try (matrices;
        NDArray flat = images.reshape(shape.get(0), 3, shape.get(2) * shape.get(3));
        NDArray rotated = matrices.matMul(flat);
        NDArray clipped = rotated.clip(0, 1)) {
      return clipped.reshape(shape);
    }
  }

  /** M = I + YIQ_TO_RGB (R - I) RGB_TO_YIQ: exactly the identity for a zero shift. */
  static void writeHueMatrix(float[] out, int offset, double hue) {
    double cos = Math.cos(2 * Math.PI * hue);
    double sin = Math.sin(2 * Math.PI * hue);
    double[][] rotationMinusIdentity = {{0, 0, 0}, {0, cos - 1, -sin}, {0, sin, cos - 1}};
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        double v = r == c ? 1 : 0;
        for (int a = 0; a < 3; a++) {
          for (int b = 0; b < 3; b++) {
            v += YIQ_TO_RGB[r][a] * rotationMinusIdentity[a][b] * RGB_TO_YIQ[b][c];
          }
        }
        out[offset + r * 3 + c] = (float) v;
      }
    }
  }

  static float factor(SplittableRandom random, double spread) {
    return spread == 0 ? 1 : (float) random.nextDouble(Math.max(0, 1 - spread), 1 + spread);
  }

  private static NDArray replace(NDArray old, NDArray result) {
    old.close();
    return result;
  }
}
