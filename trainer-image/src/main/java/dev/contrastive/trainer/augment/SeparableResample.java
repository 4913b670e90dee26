package dev.contrastive.trainer.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Applies a per-image linear map separately to rows and columns: {@code out[n] = R[n] x[n]
 * C[n]^T} for every channel, as two batched matrix products. Crop + bilinear resize and Gaussian
 * blur are both such maps, which is how they run batched although each image has its own
 * parameters.
 */
final class SeparableResample {

  private SeparableResample() {}

  /**
   * @param rows (N, outH, H) weights, flattened image by image
   * @param columns (N, outW, W) weights, flattened image by image
   */
  static NDArray apply(NDArray images, float[] rows, int outHeight, float[] columns, int outWidth) {
    Shape shape = images.getShape();
    long n = shape.get(0);
    NDManager manager = images.getManager();
    try (NDArray r = manager.create(rows, new Shape(n, 1, outHeight, shape.get(2)));
        NDArray c = manager.create(columns, new Shape(n, 1, outWidth, shape.get(3)));
        NDArray ct = c.transpose(0, 1, 3, 2);
        NDArray rowsDone = r.matMul(images)) {
      return rowsDone.matMul(ct);
    }
  }

  /**
   * Writes into {@code weights} at {@code offset} the (out, size) matrix that crops {@code
   * [start, start + length)} of a line of {@code size} pixels and resizes it to {@code out}
   * pixels bilinearly (half-pixel centres, as PyTorch's interpolate with align_corners=false).
   */
  static void bilinear(float[] weights, int offset, int size, int start, int length, int out) {
    double scale = (double) length / out;
    for (int o = 0; o < out; o++) {
      double source = Math.max((o + 0.5) * scale - 0.5, 0);
      int low = Math.min((int) Math.floor(source), length - 1);
      int high = Math.min(low + 1, length - 1);
      double fraction = source - low;
      weights[offset + o * size + start + low] += (float) (1 - fraction);
      weights[offset + o * size + start + high] += (float) fraction;
    }
  }
}
