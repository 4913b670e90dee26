package dev.contrastive.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.contrastive.trainer.data.LabelledImages;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A few held-out images and their nearest training images by cosine of encoder features: what a
 * contact sheet shows. Row {@code r} is query {@code queries[r]} of {@code heldOut}, with the
 * indices (into {@code train}) and scores of its neighbours, most similar first.
 */
public record Neighbours(
    LabelledImages heldOut, LabelledImages train, int[] queries, int[][] nearest, float[][] scores) {

  public static final Neighbours NONE = new Neighbours(null, null, new int[0], new int[0][], new float[0][]);

  public boolean isEmpty() {
    return queries.length == 0;
  }

  /**
   * The {@code k} nearest training images of {@code count} held-out images spread evenly over the
   * split (the same ones at every evaluation, so sheets of successive epochs compare).
   *
   * @param trainFeatures (N, F) features of {@code train}, in order
   * @param heldOutFeatures (M, F) features of {@code heldOut}, in order
   */
  static Neighbours of(LabelledImages heldOut, LabelledImages train, NDArray heldOutFeatures,
      NDArray trainFeatures, int count, int k) {
    int m = heldOut.size();
    int[] queries = IntStream.range(0, Math.min(count, m)).map(i -> (int) ((long) i * m / Math.min(count, m))).toArray();
    int n = train.size();
    int kept = Math.min(k, n);
    int[][] nearest = new int[queries.length][];
    float[][] scores = new float[queries.length][];
    NDList rows = new NDList();
    for (int query : queries) {
      rows.add(heldOutFeatures.get(query));
    }
    try (NDArray candidates = EncoderFeatures.normalise(trainFeatures);
        NDArray picked = NDArrays.stack(rows);
        NDArray q = EncoderFeatures.normalise(picked);
        NDArray cosine = q.matMul(candidates.transpose())) {
      float[] all = cosine.toFloatArray();
      for (int r = 0; r < queries.length; r++) {
        int row = r;
        nearest[r] = IntStream.range(0, n).boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -all[row * n + i]).thenComparing(i -> i))
            .limit(kept).mapToInt(Integer::intValue).toArray();
        scores[r] = new float[kept];
        for (int j = 0; j < kept; j++) {
          scores[r][j] = all[row * n + nearest[r][j]];
        }
      }
    } finally {
      rows.close();
    }
    return new Neighbours(heldOut, train, queries, nearest, scores);
  }
}
