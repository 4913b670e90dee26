package dev.contrastive.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code AdamW}: {@code w -=
 * lr * (m_hat / (sqrt(v_hat) + eps) + wd * w)}, without weight decay on biases and norms.
 */
public final class AdamW extends ParameterOptimizer {

  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;

  /** AdamW whose state lives under {@code manager}. */
  public AdamW(NDManager manager, double beta1, double beta2, double epsilon, double weightDecay) {
    super(manager);
    this.beta1 = (float) beta1;
    this.beta2 = (float) beta2;
    this.epsilon = (float) epsilon;
    this.weightDecay = (float) weightDecay;
  }

  @Override
  public void update(String name, NDArray weight, NDArray gradient, float lr) {
    // per-parameter step count, so a parameter added later starts its own bias correction
    NDArray count = slot(name, "step", new Shape(), DataType.INT64).addi(1);
    long t = count.getLong();
    NDArray mean = slot(name, "mean", weight).muli(beta1).addi(gradient.mul(1 - beta1));
    NDArray variance =
        slot(name, "variance", weight).muli(beta2).addi(gradient.square().muli(1 - beta2));
    double meanCorrection = 1 - Math.pow(beta1, t);
    double varianceCorrection = 1 - Math.pow(beta2, t);
    if (weightDecay != 0 && !isBiasOrNorm(weight)) {
      weight.muli(1 - lr * weightDecay);
    }
    NDArray denominator = variance.div(varianceCorrection).sqrt().addi(epsilon);
    weight.subi(mean.div(denominator).muli(lr / meanCorrection));
  }
}
