package dev.contrastive.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * SGD with heavy-ball momentum as PyTorch computes it: {@code v = momentum * v + (g + wd * w); w -=
 * lr * v}, without weight decay on biases and norms.
 */
public final class Sgd extends ParameterOptimizer {

  private final float momentum;
  private final float weightDecay;

  /** SGD whose state lives under {@code manager}. */
  public Sgd(NDManager manager, double momentum, double weightDecay) {
    super(manager);
    this.momentum = (float) momentum;
    this.weightDecay = (float) weightDecay;
  }

  @Override
  public void update(String name, NDArray weight, NDArray gradient, float lr) {
    NDArray direction =
        isBiasOrNorm(weight) || weightDecay == 0 ? gradient : gradient.add(weight.mul(weightDecay));
    if (momentum != 0) {
      direction = slot(name, "momentum", weight).muli(momentum).addi(direction);
    }
    weight.subi(direction.mul(lr));
  }
}
