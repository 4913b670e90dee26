package dev.contrastive.trainer.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.contrastive.api.spec.LossSpec;
import dev.contrastive.trainer.dist.CrossRankSums;

/**
 * NT-Xent with every rank's projections as negatives, as SimCLR trains at scale: the projections
 * of all W ranks are gathered (each rank's rows in place, zeros elsewhere, summed over the gang:
 * an exact all-gather whose backward {@link CrossRankSums} provides), laid out as one process with
 * W x B images would hold them (first views of ranks 0..W-1, then second views), and this rank's
 * 2B anchors are scored against all 2WB projections. The ranks' losses average to the loss of
 * that one process, and after {@link CrossRankSums#backward} and the gradient average so do the
 * gradients.
 */
public final class GlobalNegatives {

  private final NtXentLoss loss;
  private final CrossRankSums sums;

  public GlobalNegatives(NtXentLoss loss, CrossRankSums sums) {
    this.loss = loss;
    this.sums = sums;
  }

  /** Whether a run gathers negatives from every rank ({@code loss.negatives}, default global). */
  public static boolean wanted(LossSpec spec) {
    return spec.negatives == null || spec.negatives.equals("global");
  }

  /**
   * This rank's loss: its {@code 2B} anchors against the projections of all ranks. Every rank
   * calls it with the same batch size, while autograd records.
   *
   * @param view1 this rank's projections of the first views (B, D)
   * @param view2 of the second views; row i shows the same image as row i of {@code view1}
   */
  public NDArray compute(NDArray view1, NDArray view2) {
    long b = view1.getShape().get(0);
    long d = view1.getShape().get(1);
    int rank = sums.rank();
    int world = sums.worldSize();
    NDList rows = new NDList();
    for (NDArray view : new NDArray[] {view1, view2}) {
      if (rank > 0) {
        rows.add(view1.getManager().zeros(new Shape(rank * b, d), view1.getDataType()));
      }
      rows.add(view);
      if (rank < world - 1) {
        rows.add(view1.getManager().zeros(new Shape((world - 1 - rank) * b, d), view1.getDataType()));
      }
    }
    NDArray all = sums.sum(NDArrays.concat(rows, 0));
    long m = world * b;
    return loss.computeForRows(all.get("0:" + m), all.get(m + ":"), rank * b, b);
  }
}
