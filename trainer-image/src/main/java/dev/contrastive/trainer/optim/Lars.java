package dev.contrastive.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * LARS (You et al. 2017), the optimizer of SimCLR: each weight matrix gets its own learning rate,
 * scaled by the trust ratio {@code eta * ||w|| / (||g|| + wd * ||w||)}; then momentum SGD on
 * {@code g + wd * w}. Biases and norm parameters (the one-dimensional ones) get neither the trust
 * ratio nor weight decay, as in SimCLR.
 */
public final class Lars extends ParameterOptimizer {

  private final float momentum;
  private final float weightDecay;
  private final float trustCoefficient;

  /** LARS whose state lives under {@code manager}. */
  public Lars(NDManager manager, double momentum, double weightDecay, double trustCoefficient) {
    super(manager);
    this.momentum = (float) momentum;
    this.weightDecay = (float) weightDecay;
    this.trustCoefficient = (float) trustCoefficient;
  }

  @Override
  public void update(String name, NDArray weight, NDArray gradient, float lr) {
    NDArray direction = gradient;
    float scaledLr = lr;
    if (!isBiasOrNorm(weight)) {
      float weightNorm = weight.norm().getFloat();
      float gradientNorm = gradient.norm().getFloat();
      if (weightNorm > 0 && gradientNorm > 0) {
        scaledLr *= trustCoefficient * weightNorm / (gradientNorm + weightDecay * weightNorm);
      }
      direction = gradient.add(weight.mul(weightDecay));
    }
    NDArray velocity = slot(name, "momentum", weight).muli(momentum).addi(direction.mul(scaledLr));
    weight.subi(velocity);
  }
}
