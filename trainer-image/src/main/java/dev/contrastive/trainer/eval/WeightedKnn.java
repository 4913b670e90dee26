package dev.contrastive.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * Weighted k-nearest-neighbour classification, the kNN monitor of InstDisc and SimCLR: features
 * are L2-normalised, a test image's k most cosine-similar training images vote for their labels
 * with weight {@code exp(similarity / temperature)}, the heaviest label wins. Test images are
 * processed in chunks so the similarity matrix never exceeds {@code chunkSize x trainCount}.
 */
public final class WeightedKnn {

  private final int k;
  private final double temperature;
  private final int chunkSize;

  /**
   * @param k neighbours ({@code evaluation.knnK}); fewer when the training set is smaller
   * @param temperature vote temperature ({@code evaluation.knnTemperature})
   * @param chunkSize test images per similarity block
   */
  public WeightedKnn(int k, double temperature, int chunkSize) {
    if (k < 1 || !(temperature > 0) || chunkSize < 1) {
      throw new IllegalArgumentException("need k >= 1, temperature > 0, chunkSize >= 1");
    }
    this.k = k;
    this.temperature = temperature;
    this.chunkSize = chunkSize;
  }

  /**
   * Predicted label of every test row.
   *
   * @param trainFeatures (Ntrain, D) features, any scale
   * @param trainLabels Ntrain labels in [0, numClasses)
   * @param testFeatures (Ntest, D) features
   */
  public int[] predict(NDArray trainFeatures, int[] trainLabels, NDArray testFeatures, int numClasses) {
    long trainCount = trainFeatures.getShape().get(0);
    if (trainCount != trainLabels.length) {
      throw new IllegalArgumentException(trainCount + " training features but " + trainLabels.length + " labels");
    }
    int neighbours = (int) Math.min(k, trainCount);
    int testCount = (int) testFeatures.getShape().get(0);
    int[] predictions = new int[testCount];
    try (NDArray train = unit(trainFeatures);
        NDArray trainT = train.transpose()) {
      for (int from = 0; from < testCount; from += chunkSize) {
        int to = Math.min(testCount, from + chunkSize);
        try (NDArray chunk = testFeatures.get(from + ":" + to);
            NDArray query = unit(chunk);
            NDArray similarity = query.matMul(trainT)) {
          NDList top = similarity.topK(neighbours, 1, true, false);
          try (top) {
            float[] sims = top.get(0).toFloatArray();
            long[] indices = top.get(1).toType(DataType.INT64, false).toLongArray();
            vote(sims, indices, neighbours, trainLabels, numClasses, predictions, from);
          }
        }
      }
    }
    return predictions;
  }

  /** Fraction of test rows whose predicted label equals their true label. */
  public double top1(
      NDArray trainFeatures, int[] trainLabels, NDArray testFeatures, int[] testLabels, int numClasses) {
    if (testFeatures.getShape().get(0) != testLabels.length) {
      throw new IllegalArgumentException("test features and labels differ in count");
    }
    int[] predicted = predict(trainFeatures, trainLabels, testFeatures, numClasses);
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == testLabels[i]) {
        correct++;
      }
    }
    return predicted.length == 0 ? 0 : (double) correct / predicted.length;
  }

  private void vote(
      float[] sims, long[] indices, int neighbours, int[] trainLabels, int numClasses, int[] out, int offset) {
    int rows = sims.length / neighbours;
    double[] scores = new double[numClasses];
    for (int r = 0; r < rows; r++) {
      Arrays.fill(scores, 0);
      for (int j = r * neighbours; j < (r + 1) * neighbours; j++) {
        scores[trainLabels[(int) indices[j]]] += Math.exp(sims[j] / temperature);
      }
      int best = 0;
      for (int c = 1; c < numClasses; c++) {
        if (scores[c] > scores[best]) {
          best = c;
        }
      }
      out[offset + r] = best;
    }
  }

  private static NDArray unit(NDArray features) {
    try (NDArray flat = features.reshape(features.getShape().get(0), -1).toType(DataType.FLOAT32, true);
        NDArray norms = flat.norm(new int[] {1}, true);
        NDArray safe = norms.maximum(1e-12f)) {
      return flat.div(safe);
    }
  }
}
