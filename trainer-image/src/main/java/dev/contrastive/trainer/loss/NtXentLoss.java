package dev.contrastive.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * NT-Xent, SimCLR's contrastive loss. For N images seen twice, the 2N projections are compared by
 * cosine similarity divided by the temperature; each projection must pick out the other view of
 * its own image among the 2N - 1 others (a softmax cross-entropy, its own similarity masked). The
 * loss is the mean over all 2N projections.
 *
 * <p>A plain function on NDArrays: call it inside a {@code GradientCollector} on the projections
 * the model returned and pass the result to {@code collector.backward}.
 */
public final class NtXentLoss {

  private final float temperature;

  /** A loss with the given softmax temperature (SimCLR uses 0.1 to 0.5). */
  public NtXentLoss(double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException(
          "loss.temperature=" + temperature + " must be greater than 0");
    }
    this.temperature = (float) temperature;
  }

  /**
   * Computes the loss.
   *
   * @param view1 projections of the first view (N, D)
   * @param view2 projections of the second view (N, D); row i shows the same image as row i of
   *     {@code view1}
   * @return the scalar loss
   */
  public NDArray compute(NDArray view1, NDArray view2) {
    NDManager manager = view1.getManager();
    long n = view1.getShape().get(0);
    int rows = Math.toIntExact(2 * n);
    NDArray z = view1.concat(view2, 0);
    NDArray unit = z.div(z.norm(new int[] {1}, true).maximum(1e-12f));
    NDArray logits = unit.matMul(unit.transpose()).divi(temperature);
    // a very negative logit gives each row's own similarity zero weight in the softmax
    NDArray self = manager.eye(rows);
    // [[I, I], [I, I]] - I marks each row's other view (PyTorch's eye has no diagonal offset)
    NDArray positives = manager.eye(Math.toIntExact(n)).tile(new long[] {2, 2}).subi(self);
    NDArray logProbabilities = logits.sub(self.muli(1e9f)).logSoftmax(1);
    return logProbabilities.mul(positives).sum().divi(-rows);
  }

  /**
   * The loss of some anchors of a larger batch: images {@code from} to {@code from + count - 1}
   * (both views) pick their other view among all {@code 2M} projections. Global negatives use it
   * with the gathered projections of every rank and the rows of this rank's own images; the mean
   * of all ranks' values is {@link #compute} on the whole batch.
   *
   * @param all1 first views of all M images (M, D)
   * @param all2 second views (M, D)
   * @return the mean over the {@code 2 count} anchors
   */
  public NDArray computeForRows(NDArray all1, NDArray all2, long from, long count) {
    NDManager manager = all1.getManager();
    long m = all1.getShape().get(0);
    int columns = Math.toIntExact(2 * m);
    int anchors = Math.toIntExact(2 * count);
    NDArray z = all1.concat(all2, 0);
    NDArray unit = z.div(z.norm(new int[] {1}, true).maximum(1e-12f));
    NDArray anchorRows = unit.get(from + ":" + (from + count)).concat(unit.get((m + from) + ":" + (m + from + count)), 0);
    NDArray logits = anchorRows.matMul(unit.transpose()).divi(temperature);
    float[] self = new float[anchors * columns];
    float[] positives = new float[anchors * columns];
    for (int a = 0; a < anchors; a++) {
      long row = a < count ? from + a : m + from + (a - count);
      long partner = row < m ? row + m : row - m;
      self[Math.toIntExact(a * (long) columns + row)] = 1e9f;
      positives[Math.toIntExact(a * (long) columns + partner)] = 1f;
    }
    Shape shape = new Shape(anchors, columns);
    NDArray logProbabilities = logits.sub(owned(manager, self, shape)).logSoftmax(1);
    return logProbabilities.mul(owned(manager, positives, shape)).sum().divi(-anchors);
  }

  /**
   * An array in storage libtorch owns: one made from Java data may read a buffer the JVM collects
   * before the backward that needs it (the mask is saved for it) runs, after the gang's exchanges.
   */
  private static NDArray owned(NDManager manager, float[] values, Shape shape) {
    try (NDArray borrowed = manager.create(values, shape)) {
      return borrowed.duplicate();
    }
  }
}
