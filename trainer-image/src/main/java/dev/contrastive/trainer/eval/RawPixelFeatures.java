package dev.contrastive.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.contrastive.trainer.data.LabelledImages;
import dev.contrastive.trainer.data.PixelBatch;
import java.util.stream.IntStream;

/**
 * The raw-pixel baseline a trained encoder must beat: each image's pixels, flattened, minus their
 * own mean, so the cosine similarity of two images is their pixel correlation (overall brightness
 * does not count). This is the definition behind the CIFAR-10 slice's reference points (31.5%
 * top-1, 1k train / 200 test, weighted 20-NN).
 */
public final class RawPixelFeatures {

  private RawPixelFeatures() {}

  /** (N, 3 * S * S) features of all {@code images}. */
  public static NDArray of(NDManager manager, LabelledImages images) {
    int n = images.size();
    try (NDArray pixels = PixelBatch.of(manager, images, IntStream.range(0, n).toArray());
        NDArray floats = pixels.toType(DataType.FLOAT32, false);
        NDArray flat = floats.reshape(n, -1);
        NDArray mean = flat.mean(new int[] {1}, true)) {
      return flat.sub(mean);
    }
  }
}
