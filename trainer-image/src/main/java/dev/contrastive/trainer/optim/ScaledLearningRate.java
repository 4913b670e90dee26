package dev.contrastive.trainer.optim;

import dev.contrastive.api.spec.OptimizerSpec;
import java.util.Locale;

/**
 * The learning rate a run trains at: {@code optimizer.lr} scaled to the global batch by SimCLR's
 * rules (reference batch 256): linear {@code lr x B/256} (SimCLR's LARS recipe) or sqrt {@code lr x
 * sqrt(B/256)} (its recipe for small batches and long runs), or none. The global batch is what one
 * optimizer step averages over: images per worker times the world size.
 *
 * @param baseLr {@code optimizer.lr}
 * @param rule linear, sqrt or none
 * @param perWorker images per worker and step
 * @param worldSize training processes
 * @param effectiveLr the peak learning rate the schedule uses
 */
public record ScaledLearningRate(double baseLr, String rule, int perWorker, int worldSize, double effectiveLr) {

  /** The batch the base learning rate is given for under linear and sqrt scaling. */
  public static final int REFERENCE_BATCH = 256;

  /** The learning rate of {@code optimizer} for {@code worldSize} workers of {@code perWorker} images. */
  public static ScaledLearningRate of(OptimizerSpec optimizer, int perWorker, int worldSize) {
    String rule = optimizer.lrScaling == null ? "none" : optimizer.lrScaling;
    double ratio = (double) perWorker * worldSize / REFERENCE_BATCH;
    double factor = switch (rule) {
      case "linear" -> ratio;
      case "sqrt" -> Math.sqrt(ratio);
      case "none" -> 1;
      default -> throw new IllegalArgumentException(
          "optimizer.lrScaling=" + rule + " is not allowed; use linear, sqrt or none");
    };
    return new ScaledLearningRate(optimizer.lr, rule, perWorker, worldSize, optimizer.lr * factor);
  }

  /** Images one optimizer step averages over. */
  public int globalBatch() {
    return perWorker * worldSize;
  }

  /** For logs: {@code global batch 512 (2 x 256), lr 0.3 x 512/256 (linear) = 0.6}. */
  public String describe() {
    String scaling = switch (rule) {
      case "linear" -> String.format(Locale.ROOT, " x %d/%d (linear)", globalBatch(), REFERENCE_BATCH);
      case "sqrt" -> String.format(Locale.ROOT, " x sqrt(%d/%d) (sqrt)", globalBatch(), REFERENCE_BATCH);
      default -> " (lrScaling none)";
    };
    return String.format(Locale.ROOT, "global batch %d (%d x %d), lr %s%s = %s",
        globalBatch(), worldSize, perWorker, number(baseLr), scaling, number(effectiveLr));
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.6g", value).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
        .replaceAll("\\.$", "");
  }
}
